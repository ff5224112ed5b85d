-- sfew.pretty: how the REPL shows values. Tables print their contents, nested and cut
-- at a depth and a length, with cycles marked; tensors, modules and other objects print
-- through their __tostring (tensors: abridged values and shape; modules: architecture).
local M = {}

M.defaults = {
  depth = 3,  -- tables nested deeper print as {...}
  items = 20, -- entries shown per table before "... (n more)"
  width = 78, -- a table that fits on one line of this width prints on one line
}

-- Optional: a function -> name/signature lookup (the REPL plugs in sfew.doc), so a
-- documented function prints as "function: sfew.tensor.zeros(shape)".
M.function_name = nil

local keywords = {}
for w in ([[and break do else elseif end false for function goto if in local nil not or
  repeat return then true until while]]):gmatch("%a+") do keywords[w] = true end

local function is_identifier(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil and not keywords[k]
end
M.is_identifier = is_identifier

local function has_tostring(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__tostring ~= nil
end

local function scalar(v)
  if type(v) == "string" then return ("%q"):format(v):gsub("\\\n", "\\n") end
  return tostring(v)
end

-- Keys in a stable order: the list part 1..n first, then the rest by type and text.
local function sorted_keys(t)
  local n = 0
  while rawget(t, n + 1) ~= nil do n = n + 1 end
  local rest = {}
  for k in next, t do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then rest[#rest + 1] = k end
  end
  table.sort(rest, function(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta < tb end
    if ta == "number" then return a < b end
    return tostring(a) < tostring(b)
  end)
  return n, rest
end

local format

local function format_key(k)
  if is_identifier(k) then return k end
  return "[" .. scalar(k) .. "]"
end

-- Formats the entries of table t as a list of strings (without braces); also returns
-- how many of them are list items (the rest are key = value).
local function entries(t, opts, depth, path)
  local n, rest = sorted_keys(t)
  local out, shown, total = {}, 0, n + #rest
  local function add(s)
    shown = shown + 1
    if shown <= opts.items then out[#out + 1] = s end
  end
  for i = 1, n do add(format(rawget(t, i), opts, depth + 1, path)) end
  for _, k in ipairs(rest) do
    add(format_key(k) .. " = " .. format(rawget(t, k), opts, depth + 1, path))
  end
  if total > opts.items then out[#out + 1] = ("... (%d more)"):format(total - opts.items) end
  return out, math.min(n, opts.items)
end

local function format_table(t, opts, depth, path)
  if path[t] then return "<cycle: " .. tostring(t) .. ">" end
  if next(t) == nil then return "{}" end
  if depth > opts.depth then return "{...}" end
  path[t] = true
  local items, n_list = entries(t, opts, depth, path)
  path[t] = nil
  local one = "{" .. table.concat(items, ", ") .. "}"
  local indent = ("  "):rep(depth - 1)
  if #one + #indent <= opts.width and not one:find("\n") then return one end
  -- Several lines: short list items share a line up to the width; keyed entries and
  -- long items stand alone.
  local lines, cur = {}, nil
  local room = opts.width - #indent - 2
  for i, item in ipairs(items) do
    local piece = item .. (i < #items and "," or "")
    local packs = i <= n_list and not item:find("\n")
    if cur and packs and i > 1 and #cur + 1 + #piece <= room then
      cur = cur .. " " .. piece
    else
      if cur then lines[#lines + 1] = cur end
      cur = piece
    end
  end
  lines[#lines + 1] = cur
  return "{\n" .. indent .. "  " .. table.concat(lines, "\n" .. indent .. "  ") ..
    "\n" .. indent .. "}"
end

-- One value as text. depth counts table nesting from 1; path holds the enclosing tables.
function format(v, opts, depth, path)
  if type(v) == "table" and not has_tostring(v) then
    return format_table(v, opts, depth, path)
  end
  if depth > 1 and type(v) == "string" then return scalar(v) end
  if type(v) == "userdata" or type(v) == "table" then
    local ok, s = pcall(tostring, v)
    if not ok then return "<" .. type(v) .. ": __tostring failed: " .. tostring(s) .. ">" end
    if depth > 1 then s = s:gsub("\n", "\n" .. ("  "):rep(depth - 1)) end
    return s
  end
  if type(v) == "function" and M.function_name then
    local name = M.function_name(v)
    if name then return "function: " .. name end
  end
  return tostring(v)
end

-- The text the REPL shows for one value (strings as they are, at the top level).
function M.format(v, opts)
  opts = setmetatable(opts or {}, { __index = M.defaults })
  return format(v, opts, 1, {})
end

-- The text for a list of values: on one line separated by tabs, or one per line when
-- any of them spans several lines.
function M.format_values(...)
  local parts, multi = {}, false
  for i = 1, select("#", ...) do
    parts[i] = M.format((select(i, ...)))
    multi = multi or parts[i]:find("\n") ~= nil
  end
  return table.concat(parts, multi and "\n" or "\t")
end

function M.print_values(...)
  if select("#", ...) == 0 then return end
  io.stdout:write(M.format_values(...), "\n")
  io.stdout:flush()
end

return M
