-- Training progress: a bar redrawn in place on a terminal, plain periodic lines when the
-- output is a file or pipe (logs stay readable).
local M = {}
M.__index = M

-- opts: {total, label, every (lines when not a terminal; default total/10), out (io.stdout),
-- tty (override the terminal check)}
function M.new(opts)
  local self = setmetatable({}, M)
  self.total = opts.total or 1
  self.label = opts.label or ""
  self.out = opts.out or io.stdout
  if opts.tty ~= nil then self.tty = opts.tty
  else
    local ok, sfew = pcall(require, "sfew")
    self.tty = ok and sfew.isatty and sfew.isatty(1) or false
  end
  self.every = opts.every or math.max(1, self.total // 10)
  self.start = os.time()
  self.clock = (package.loaded.sfew and package.loaded.sfew.clock) or os.clock
  self.t0 = self.clock()
  return self
end

local function fmt_time(s)
  if s ~= s or s == math.huge then return "?" end
  s = math.floor(s + 0.5)
  if s >= 3600 then return ("%dh%02dm"):format(s // 3600, s % 3600 // 60) end
  if s >= 60 then return ("%dm%02ds"):format(s // 60, s % 60) end
  return ("%ds"):format(s)
end

-- Reports step i of total with a table of named numbers (e.g. {loss = 0.5, acc = 0.9}).
function M:update(i, values)
  local elapsed = self.clock() - self.t0
  local left = i > 0 and elapsed / i * (self.total - i) or math.huge
  local parts = {}
  for _, k in ipairs(values and values._order or {}) do
    parts[#parts + 1] = ("%s %.4g"):format(k, values[k])
  end
  if values and not values._order then
    local keys = {}
    for k in pairs(values) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do parts[#parts + 1] = ("%s %.4g"):format(k, values[k]) end
  end
  local info = table.concat(parts, "  ")
  if self.tty then
    local width = 24
    local filled = math.floor(width * i / self.total)
    self.out:write(("\r%s [%s%s] %d/%d  %s  left %s\27[K"):format(self.label,
      ("="):rep(filled), (" "):rep(width - filled), i, self.total, info, fmt_time(left)))
    if i >= self.total then self.out:write("\n") end
    self.out:flush()
  elseif i % self.every == 0 or i == self.total or i == 1 then
    self.out:write(("%s %d/%d  %s  elapsed %s  left %s\n"):format(self.label, i, self.total,
      info, fmt_time(elapsed), fmt_time(left)))
    self.out:flush()
  end
end

-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "sfew.progress", "A training progress bar (plain lines when not a terminal).")
doc.table(M, {
  new = { "progress.new{total, label, every = total / 10, out = io.stdout, tty}",
    "A progress display of total steps." },
  update = { "p:update(i, values)",
    "Reports step i with named numbers, e.g. {loss = 0.5, acc = 0.9}." },
})

return M
