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

-- Creates a folder and its parents (raises when it cannot).
function M.mkdir(path)
  local ok, err = require("sfew.core.data").mkdir(path)
  if not ok then error("cannot create folder " .. path .. ": " .. tostring(err), 2) end
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
  local names, is_dir = require("sfew.core.data").list_dir(dir)
  for i, file in ipairs(names or {}) do -- a missing folder holds no records
    if not is_dir[i] and file:match("%.jsonl$") then
      for _, r in ipairs(assert(M.read_jsonl(dir .. "/" .. file))) do
        records[#records + 1] = r
      end
    end
  end
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

-- The values of field key in a list of records (records without it are skipped unless
-- fill is given): report.pluck(records, "train_loss").
function M.pluck(records, key, fill)
  local out = {}
  for _, r in ipairs(records) do
    local v = r[key]
    if v == nil then v = fill end
    if v ~= nil then out[#out + 1] = v end
  end
  return out
end

-- "mean ± sd" (or the one value when there is one) with fmt for both numbers.
function M.mean_pm(xs, fmt)
  fmt = fmt or "%.4f"
  local m, s = M.mean_std(xs)
  if not m then return "" end
  if #xs == 1 then return fmt:format(m) end
  return (fmt .. " ± " .. fmt):format(m, s)
end

-- Sorts rows in place by where row[key] stands in the list order; rows whose key is not
-- in it go last, by key. Returns rows.
function M.sort_by_list(rows, key, order)
  local pos = {}
  for i, v in ipairs(order) do pos[v] = i end
  table.sort(rows, function(a, b)
    local pa, pb = pos[a[key]] or math.huge, pos[b[key]] or math.huge
    if pa ~= pb then return pa < pb end
    return a[key] < b[key]
  end)
  return rows
end

-- One row per group of records (group_by: a field name or a function of a record), in
-- the order the groups first appear: {[group_key] = key, runs = n, [f] = "mean ± sd",
-- [f .. "_mean"] = mean, [f .. "_std"] = sd} for every field f in fields. fields may be
-- the table's columns ({key, title [, fmt]}): every one but the group column and runs,
-- each with its fmt. opts: fmt (per field or one string, default "%.4f"), key (name of
-- the group column, default "group").
function M.group_stats(records, group_by, fields, opts)
  opts = opts or {}
  if type(fields[1]) == "table" then
    local names, fmt = {}, {}
    for _, col in ipairs(fields) do
      if col[1] ~= (opts.key or "group") and col[1] ~= "runs" then
        names[#names + 1], fmt[col[1]] = col[1], col[3]
      end
    end
    fields, opts = names, { key = opts.key, fmt = opts.fmt or fmt }
  end
  local keyf = type(group_by) == "function" and group_by or function(r) return r[group_by] end
  local by, order = {}, {}
  for _, r in ipairs(records) do
    local k = keyf(r)
    if k ~= nil then
      if not by[k] then by[k] = {}; order[#order + 1] = k end
      table.insert(by[k], r)
    end
  end
  local rows = {}
  for _, k in ipairs(order) do
    local row = { [opts.key or "group"] = k, runs = #by[k] }
    for _, f in ipairs(fields) do
      local xs = M.pluck(by[k], f)
      local fmt = type(opts.fmt) == "table" and opts.fmt[f] or opts.fmt
      row[f] = M.mean_pm(xs, type(fmt) == "string" and fmt or nil)
      row[f .. "_mean"], row[f .. "_std"] = M.mean_std(xs)
    end
    rows[#rows + 1] = row
  end
  return rows
end

-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "sfew.report", "Results as aligned text tables, Markdown tables and JSON lines.")
doc.table(M, {
  sort_by_list = { "report.sort_by_list(rows, key, order)",
    "Sorts rows in place by where row[key] stands in the list order (others last, by key); "
    .. "returns rows." },
  text = { "report.text(rows, columns)",
    "An aligned text table; columns: list of {key, title [, fmt]}, rows: list of tables." },
  markdown = { "report.markdown(rows, columns)", "A Markdown table of rows (columns as text)." },
  mkdir = { "report.mkdir(path)", "Creates a folder and its parents (raises when it cannot)." },
  write_atomic = { "report.write_atomic(path, content)",
    "Writes content through a temporary file and a rename; true, or nil, message." },
  jsonl = { "report.jsonl(records)", "JSON lines text: one object per record." },
  read_jsonl = { "report.read_jsonl(path)", "The records of a JSON lines file; nil, message." },
  read_jsonl_dir = { "report.read_jsonl_dir(dir)",
    "Every record of every .jsonl file in dir, files in name order." },
  mean_std = { "report.mean_std(xs)", "Mean and sample standard deviation of a list of numbers." },
  pluck = { "report.pluck(records, key [, fill])",
    "The values of field key in records (missing ones skipped, or fill)." },
  mean_pm = { "report.mean_pm(xs [, fmt])", "\"mean ± sd\" of xs (the value alone when one)." },
  group_stats = { "report.group_stats(records, group_by, fields [, {fmt = \"%.4f\", "
    .. "key = \"group\"}])",
    "One row per group with runs, \"mean ± sd\", _mean and _std for every field." },
})

return M
