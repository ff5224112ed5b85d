-- sfew.complete: completion candidates for the REPL. The host's readline hook passes
-- the line up to the cursor; the word to complete is its trailing run of name characters
-- with . and : (the host breaks words on everything else), and the candidates are full
-- replacement words: "sfew.nn.Co" -> {"sfew.nn.Conv2d"}, "t:res" -> {"t:reshape"}.
-- File names inside an open string are the host's job (readline's filename completer).
local M = {}

local keywords = {}
for w in ([[and break do else elseif end false for function goto if in local nil not or
  repeat return then true until while]]):gmatch("%a+") do keywords[#keywords + 1] = w end

local MAX_CHAIN = 8 -- __index tables followed from an object (class, base class, ...)

-- t[k] without letting a failing __index escape (completion must never raise).
local function safe_index(t, k)
  local ok, v = pcall(function() return t[k] end)
  if ok then return v end
  return nil
end

local function add_keys(set, t, want_functions)
  if type(t) ~= "table" then return end
  for k, v in next, t do
    if type(k) == "string" and k:match("^[%a_][%w_]*$") and
        (not want_functions or type(v) == "function") then
      set[k] = true
    end
  end
end

-- The method table of a tensor, found without requiring sfew (it may not be loaded).
local function tensor_methods()
  local loaded = package.loaded["sfew.core.tensor"]
  return type(loaded) == "table" and loaded.methods or nil
end

-- The table an __index function looks names up in, when it closes over one: the first
-- table upvalue other than _ENV (nn layers' C __index and Sequential's Lua __index both
-- keep their method table there). Used only when the metatable has no __methods.
local function closed_over_table(f)
  if type(f) ~= "function" or not debug or not debug.getupvalue then return nil end
  for i = 1, 255 do
    local name, v = debug.getupvalue(f, i)
    if name == nil then return nil end
    if type(v) == "table" and name ~= "_ENV" and v ~= _G then return v end
  end
  return nil
end

M.closed_over_table = closed_over_table

-- Names reachable from obj after "." (fields) or ":" (methods only).
local function member_names(obj, methods_only)
  local set = {}
  local tobj = type(obj)
  if tobj == "table" then add_keys(set, obj, methods_only) end
  if tobj == "string" then add_keys(set, string, true) end
  local mt = getmetatable(obj)
  for _ = 1, MAX_CHAIN do
    if type(mt) ~= "table" then break end
    local index = rawget(mt, "__index")
    if type(index) == "table" then
      add_keys(set, index, methods_only)
      mt = getmetatable(index)
    else
      -- An __index function hides its names: tensors keep theirs in sfew.tensor.methods;
      -- other types may list them in their metatable as __methods (a table of methods)
      -- and __fields (a list of field names, e.g. {"weight", "bias"}); failing that, the
      -- table the function closes over is taken as the methods.
      if rawget(mt, "__name") == "sfew.Tensor" then
        add_keys(set, tensor_methods(), true)
        if not methods_only then set.grad = true end
      end
      local methods = rawget(mt, "__methods")
      if type(methods) ~= "table" then methods = closed_over_table(index) end
      add_keys(set, methods, true)
      local fields = rawget(mt, "__fields")
      if not methods_only and type(fields) == "table" then
        for _, f in ipairs(fields) do set[f] = true end
      end
      break
    end
  end
  return set
end

-- Walks "a.b.c" from the globals; nil when a step fails or is not indexable.
local function resolve(path, env)
  local obj = env
  for part in path:gmatch("[^%.:]+") do
    local t = type(obj)
    if t ~= "table" and t ~= "userdata" and t ~= "string" then return nil end
    obj = safe_index(obj, part)
    if obj == nil then return nil end
  end
  return obj
end

local function sorted_matches(set, partial, prefix)
  local out = {}
  for name in pairs(set) do
    if name:sub(1, #partial) == partial and (partial:sub(1, 2) == "__" or
        name:sub(1, 2) ~= "__") then
      out[#out + 1] = prefix .. name
    end
  end
  table.sort(out)
  return out
end

-- Completion candidates for the word before the cursor. env defaults to _G.
function M.complete(line, env)
  env = env or _G
  local word = line:match("[%w_%.:]*$")
  local before = line:sub(1, #line - #word)
  -- "x).fo", "t[1]:re": the object is an expression we will not evaluate.
  if word:match("^[%.:]") or word:match("^%d") or before:match("[%]%)\"']$") then
    return {}
  end
  local path, sep, partial = word:match("^(.-)([%.:])([%w_]*)$")
  if not path then
    local set = {}
    for _, k in ipairs(keywords) do set[k] = true end
    add_keys(set, env, false)
    local mt = getmetatable(env)
    if type(mt) == "table" then add_keys(set, rawget(mt, "__index"), false) end
    return sorted_matches(set, word, "")
  end
  if path:find(":") or path == "" then return {} end
  local obj = resolve(path, env)
  if obj == nil then return {} end
  return sorted_matches(member_names(obj, sep == ":"), partial, path .. sep)
end

return M
