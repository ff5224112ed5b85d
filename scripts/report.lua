-- Results on the terminal and on disk: aligned text tables, Markdown tables, JSON lines,
-- all files written to a temporary name and renamed so a crash never leaves half a file.
local M = {}

local function cell(v, fmt)
  if v == nil then return "" end
  if v ~= v then return "-" end -- NaN: nothing to measure (e.g. a class with no samples)
  if fmt and type(v) == "number" then return fmt:format(v) end
  if type(v) == "number" and math.type(v) == "float" then return ("%.4g"):format(v) end
  return tostring(v)
end

-- columns: list of {key, title [, fmt]}; rows: list of tables. Returns lines of cells.
local function cells(rows, columns)
  local head, body = {}, {}
  for c, col in ipairs(columns) do head[c] = col[2] or col[1] end
  for r, row in ipairs(rows) do
    body[r] = {}
    for c, col in ipairs(columns) do body[r][c] = cell(row[col[1]], col[3]) end
  end
  return head, body
end

-- An aligned text table (numbers right-aligned).
function M.text(rows, columns)
  local head, body = cells(rows, columns)
  local width = {}
  for c = 1, #columns do
    width[c] = #head[c]
    for _, line in ipairs(body) do width[c] = math.max(width[c], #line[c]) end
  end
  local out = {}
  local function emit(line)
    local parts = {}
    for c = 1, #columns do parts[c] = ("%" .. width[c] .. "s"):format(line[c]) end
    out[#out + 1] = table.concat(parts, "  ")
  end
  emit(head)
  local rule = {}
  for c = 1, #columns do rule[c] = ("-"):rep(width[c]) end
  out[#out + 1] = table.concat(rule, "  ")
  for _, line in ipairs(body) do emit(line) end
  return table.concat(out, "\n") .. "\n"
end

function M.markdown(rows, columns)
  local head, body = cells(rows, columns)
  local out = { "| " .. table.concat(head, " | ") .. " |" }
  local align = {}
  for c = 1, #columns do align[c] = "---:" end
  out[2] = "|" .. table.concat(align, "|") .. "|"
  for _, line in ipairs(body) do out[#out + 1] = "| " .. table.concat(line, " | ") .. " |" end
  return table.concat(out, "\n") .. "\n"
end

function M.mkdir(path)
  local ok = os.execute("mkdir -p '" .. path:gsub("'", "'\\''") .. "'")
  if not ok then error("cannot create folder " .. path, 2) end
end

-- Writes content to path through a temporary file and a rename (sfew.io.write_atomic).
function M.write_atomic(path, content)
  return require("sfew.io").write_atomic(path, content)
end

-- JSON lines: one object per record.
function M.jsonl(records)
  local json = require "sfew.json"
  local lines = {}
  for i, r in ipairs(records) do lines[i] = json.encode(r) end
  return table.concat(lines, "\n") .. (#lines > 0 and "\n" or "")
end

-- Reads a JSON lines file into a list of records (nil, message if it cannot be read).
function M.read_jsonl(path)
  local json = require "sfew.json"
  local f, err = io.open(path)
  if not f then return nil, err end
  local out, n = {}, 0
  for line in f:lines() do
    n = n + 1
    if line:match("%S") then
      local ok, rec = pcall(json.decode, line)
      if not ok then
        f:close()
        return nil, ("%s:%d: %s"):format(path, n, rec)
      end
      out[#out + 1] = rec
    end
  end
  f:close()
  return out
end

-- Every record of every .jsonl file in a folder, files in name order.
function M.read_jsonl_dir(dir)
  local records = {}
  local p = io.popen("ls '" .. dir:gsub("'", "'\\''") .. "' 2>/dev/null")
  for file in p:lines() do
    if file:match("%.jsonl$") then
      for _, r in ipairs(assert(M.read_jsonl(dir .. "/" .. file))) do
        records[#records + 1] = r
      end
    end
  end
  p:close()
  return records
end

-- mean and sample standard deviation of a list of numbers.
function M.mean_std(xs)
  local n, s = #xs, 0
  if n == 0 then return nil end
  for _, x in ipairs(xs) do s = s + x end
  local mean, ss = s / n, 0
  for _, x in ipairs(xs) do ss = ss + (x - mean) ^ 2 end
  return mean, n > 1 and math.sqrt(ss / (n - 1)) or 0
end

return M
