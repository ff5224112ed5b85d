-- The readers (io.load, data.load_image, data.image_folder, data.read_csv, the IDX reader)
-- open only regular files: a FIFO is refused at once instead of blocking forever, and a
-- directory says so instead of reporting a nonsensical size.
local h = require "helpers"

-- Each reader as "name = expression over P" (the path), run in a child process so that a
-- reader that blocks fails the spec (by the time limit) instead of hanging the suite.
local readers = {
  ["io.load"] = "require('sfew').io.load(P)",
  load_image = "require('sfew').data.load_image(P)",
  read_csv = "require('sfew').data.read_csv(P)",
  read_idx = "require('sfew.core.data').read_idx(P, 1)",
}

-- Runs every reader on path; returns name -> "nil|message" (or "ok" / "error|message").
local function run_all(path)
  local lines = {"local P = " .. ("%q"):format(path)}
  for name, expr in pairs(readers) do
    lines[#lines + 1] = ("do local ok, v, msg = pcall(function() return %s end) "
      .. "print(%q, ok and (v == nil and 'nil|' .. tostring(msg) or 'ok') "
      .. "or 'error|' .. tostring(v)) end"):format(expr, name)
  end
  local script = table.concat(lines, "\n")
  local out = os.tmpname()
  local cmd = ("timeout 20 %s -e %s > %s 2>&1"):format(h.quote(h.sfewlua), h.quote(script),
    h.quote(out))
  local ok = os.execute(cmd)
  local f = assert(io.open(out))
  local text = f:read("a")
  f:close()
  os.remove(out)
  assert(ok, "the readers did not finish (blocked?): " .. text)
  local got = {}
  for name, result in text:gmatch("([%w._]+)\t([^\n]*)") do got[name] = result end
  return got
end

describe("readers", function()
  local dir
  before_each(function() dir = h.tmpdir() end)
  after_each(function() h.rmdir(dir) end)

  it("refuse a FIFO at once with nil and a message, never blocking", function()
    local fifo = dir .. "/pipe"
    assert(os.execute("mkfifo " .. h.quote(fifo)))
    local got = run_all(fifo)
    for name in pairs(readers) do
      assert.matches("^nil|.*'" .. fifo:gsub("%p", "%%%0") .. "' is a FIFO, not a regular file",
        got[name] or "(no line)", nil, false)
      assert.is_truthy(got[name], name)
    end
  end)

  it("say that a directory is a directory", function()
    local got = run_all(dir)
    for name in pairs(readers) do
      assert.matches("^nil|.*is a directory$", got[name] or ("(no line for " .. name .. ")"))
      assert.is_nil((got[name] or ""):find("too short", 1, true), name)
    end
  end)

  it("refuse a character device (reading one could block or never end)", function()
    local got = run_all("/dev/zero")
    for name in pairs(readers) do
      assert.matches("^nil|.*is a character device, not a regular file$",
        got[name] or ("(no line for " .. name .. ")"))
    end
  end)

  it("skip or report a FIFO inside an image folder instead of blocking", function()
    assert(os.execute("mkdir -p " .. h.quote(dir .. "/Angry")))
    assert(os.execute("mkfifo " .. h.quote(dir .. "/Angry/a.png")))
    local script = ("local ds, msg = require('sfew').data.image_folder(%q, {quiet = true}) "
      .. "print(ds and #ds or msg)"):format(dir)
    local out = os.tmpname()
    local ok = os.execute(("timeout 20 %s -e %s > %s 2>&1"):format(h.quote(h.sfewlua),
      h.quote(script), h.quote(out)))
    local text = assert(io.open(out)):read("a")
    os.remove(out)
    assert.is_true(ok, text)
  end)
end)
