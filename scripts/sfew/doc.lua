-- sfew.doc: the documentation registry behind help(). Each module registers its own
-- functions, classes and methods in its own Lua file, at load time:
--   local doc = require "sfew.doc"
--   doc.register(M.Linear, "nn.Linear(in, out [, {rng}])", "A fully connected layer.")
--   doc.register("sfew.Linear", "Linear", "...")   -- a type, by its metatable name
-- Docs of the C core (sfew.rng, sfew.tensor, tensor methods) live in sfew/doc_core.lua and
-- load on the first lookup, so nothing is paid until help() is used.
local M = {}

-- value -> list of entries (one C function may serve under two names, e.g. reshape/view);
-- weak keys, so a registration never keeps a freed object alive.
local by_value = setmetatable({}, { __mode = "k" })
local by_name = {} -- "sfew.tensor.zeros", "Tensor:reshape", "sfew.Tensor" -> entry
local core_loaded = false

-- The name a signature documents: "sfew.tensor.zeros(shape)" -> "sfew.tensor.zeros".
local function sig_name(sig)
  return sig:match("^([%w_%.:]+)") or sig
end

-- Last component of a name: "t:reshape" -> "reshape".
local function short_name(name)
  return name:match("[%.:]([%w_]+)$") or name
end

-- Registers documentation for a value (function, table, userdata) or a name (a string,
-- e.g. a metatable name such as "sfew.Tensor"). Returns the value, so it can wrap a
-- definition: M.f = doc.register(function ... end, "M.f(x)", "...").
function M.register(value, signature, description)
  if type(signature) ~= "string" then
    error("bad argument #2 to 'register' (signature string expected)", 2)
  end
  local entry = { sig = signature, desc = description or "", name = sig_name(signature) }
  if type(value) == "string" then
    by_name[value] = entry
  elseif value ~= nil then
    local list = by_value[value] or {}
    list[#list + 1] = entry
    by_value[value] = list
  else
    error("bad argument #1 to 'register' (value or name expected)", 2)
  end
  by_name[entry.name] = by_name[entry.name] or entry
  return value
end

-- Registers many at once: doc.table(tbl, {key = {signature, description}, ...}); keys
-- missing from tbl are registered by name only.
function M.table(tbl, docs)
  for key, d in pairs(docs) do
    local v = tbl[key]
    M.register(v ~= nil and v or d[1], d[1], d[2])
  end
end

local function load_core()
  if not core_loaded then
    core_loaded = true
    local ok, err = pcall(require, "sfew.doc_core")
    if not ok then io.stderr:write("sfew.doc: ", tostring(err), "\n") end
  end
end

-- The entry for a value, or nil. key (optional) picks among several names of one value,
-- preferring a method ("t:matmul") when method is true and a function otherwise.
function M.lookup(value, key, method)
  load_core()
  if type(value) == "string" then return by_name[value] end
  local list = by_value[value]
  if list then
    local best
    for _, e in ipairs(list) do
      if not key or short_name(e.name) == key then
        if (e.name:find(":", 1, true) ~= nil) == (method == true) then return e end
        best = best or e
      end
    end
    return best or list[1]
  end
  local mt = type(value) == "userdata" and getmetatable(value)
  if type(mt) == "table" and type(mt.__name) == "string" then return by_name[mt.__name] end
  return nil
end

M.short_name = short_name
return M
