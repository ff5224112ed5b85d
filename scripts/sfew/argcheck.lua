-- sfew.argcheck: the Lua half's one way to reject an argument, worded as lauxlib's
-- luaL_argerror / luaL_typeerror word it, so errors from C and from Lua read alike.
-- Every function raises at the caller of the public function that calls it (level 1 =
-- that public function's caller), so the message carries the user's file and line.
local M = {}

-- The name lauxlib would print for a value: the metatable's __name (e.g. "sfew.Tensor")
-- when it has one, else Lua's type name.
function M.typename(v)
  local mt = getmetatable(v)
  if type(mt) == "table" then
    local name = rawget(mt, "__name")
    if type(name) == "string" then return name end
  end
  return type(v)
end

-- Raises "bad argument #pos to 'fname' (msg)". level counts from the public function's
-- caller (default 1).
function M.error(pos, fname, msg, level)
  error(("bad argument #%d to '%s' (%s)"):format(pos, fname, msg), 2 + (level or 1))
end

-- Raises "bad argument #pos to 'fname' (what expected, got <type>)".
function M.expected(pos, fname, what, value, level)
  M.error(pos, fname, what .. " expected, got " .. M.typename(value), 1 + (level or 1))
end

-- Raises with msg unless cond holds; returns cond.
function M.check(cond, pos, fname, msg, level)
  if not cond then M.error(pos, fname, msg, 1 + (level or 1)) end
  return cond
end

-- Checks that v has Lua type tname (or is nil when optional); returns v.
function M.type(v, tname, pos, fname, optional, level)
  if type(v) ~= tname and not (optional and v == nil) then
    M.expected(pos, fname, tname, v, 1 + (level or 1))
  end
  return v
end

-- Edit distance for "did you mean" on short option names, counting a swap of
-- neighbours as one edit ("bais" is one from "bias").
local function distance(a, b)
  local d = {}
  for i = 0, #a do d[i] = { [0] = i } end
  for j = 0, #b do d[0][j] = j end
  for i = 1, #a do
    for j = 1, #b do
      local ca, cb = a:byte(i), b:byte(j)
      local v = math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (ca == cb and 0 or 1))
      if i > 1 and j > 1 and ca == b:byte(j - 1) and a:byte(i - 1) == cb then
        v = math.min(v, d[i - 2][j - 2] + 1)
      end
      d[i][j] = v
    end
  end
  return d[#a][#b]
end

-- The allowed name closest to key, when it is close enough to be a likely typo: a name
-- that starts with key or that key starts with (3 or more characters: "padd" for
-- "padding", "batch_size" for "batch"), else one within
-- max(1, #key // 3) edits. Ties go to the alphabetically first name.
function M.suggest(key, allowed)
  local best, best_d
  for name in pairs(allowed) do
    local short = math.min(#key, #name)
    local d = (short >= 3 and name:sub(1, short) == key:sub(1, short)) and 0
      or distance(key, name)
    if (not best_d or d < best_d or (d == best_d and name < best)) then best, best_d = name, d end
  end
  if best and best_d <= math.max(1, #key // 3) then return best end
  return nil
end

-- Checks an options table: nil is allowed (returns {}); anything but a table, a key that
-- is not a string, or a key not in allowed (a set: {name = true, ...}) raises, naming the
-- key and suggesting the closest allowed one. Returns opts.
function M.options(opts, allowed, pos, fname, level)
  if opts == nil then return {} end
  if type(opts) ~= "table" then
    M.expected(pos, fname, "options table", opts, 1 + (level or 1))
  end
  for key in pairs(opts) do
    if type(key) ~= "string" or not allowed[key] then
      local msg = ("unknown option '%s'"):format(tostring(key))
      local near = type(key) == "string" and M.suggest(key, allowed)
      if near then msg = msg .. (" (did you mean '%s'?)"):format(near) end
      M.error(pos, fname, msg, 1 + (level or 1))
    end
  end
  return opts
end

-- A set from a list: argcheck.set{"lr", "momentum"} == {lr = true, momentum = true}.
function M.set(list)
  local s = {}
  for _, v in ipairs(list) do s[v] = true end
  return s
end

return M
