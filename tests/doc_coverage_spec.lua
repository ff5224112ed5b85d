-- Every public name a researcher can reach from require "sfew" has a help() entry: module
-- tables and their fields, classes and their methods, the methods of one live object of
-- every type (tensor, generator, each layer and criterion, Sequential, each optimiser and
-- schedule, dataset, augmentation), and the experiment modules. On failure the message
-- lists every undocumented name.
local doc = require "sfew.doc"
local sfew = require "sfew"

-- The method table behind an object: a plain __index table, or __methods when __index is
-- a function (layers, optimisers).
local function methods_of(x)
  local mt = getmetatable(x)
  if type(mt) ~= "table" then return nil end
  if rawget(mt, "__name") == "sfew.Tensor" then return sfew.tensor.methods end
  local index = rawget(mt, "__index")
  if type(index) == "table" then return index end
  local methods = rawget(mt, "__methods")
  return type(methods) == "table" and methods or nil
end

local function public(k)
  return type(k) == "string" and k:sub(1, 1) ~= "_"
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do
    if public(k) then keys[#keys + 1] = k end
  end
  table.sort(keys)
  return keys
end

local function documented(e)
  return e ~= nil and e.sig ~= "" and e.desc ~= ""
end

local Walker = {}
Walker.__index = Walker

local function walker()
  return setmetatable({ missing = {}, seen_methods = {}, count = 0 }, Walker)
end

function Walker:check(name, value, key, method)
  self.count = self.count + 1
  if not documented(doc.lookup(value, key, method)) then
    self.missing[#self.missing + 1] = name
  end
end

-- The methods of a class or method table, as "Type:name".
function Walker:methods(type_name, methods)
  if self.seen_methods[methods] then return end
  self.seen_methods[methods] = true
  for _, k in ipairs(sorted_keys(methods)) do
    local f = rawget(methods, k)
    if type(f) == "function" then self:check(type_name .. ":" .. k, f, k, true) end
  end
end

-- A module table: itself, each public field that is a function or a table, and the
-- methods of the classes in it (tables that are their own __index).
function Walker:module(name, mod)
  self:check(name, mod)
  for _, k in ipairs(sorted_keys(mod)) do
    local v = mod[k]
    local tv = type(v)
    if tv == "function" or tv == "table" or tv == "userdata" then
      self:check(name .. "." .. k, v, k)
    else -- a number, string or boolean: documented by its name
      self:check(name .. "." .. k, name .. "." .. k)
    end
    if tv == "table" and (rawget(v, "__index") == v or k == "methods") then
      self:methods(name .. "." .. k, v)
    end
  end
end

-- A live object: its type, then its methods.
function Walker:object(name, obj)
  self:check(name .. " (the type)", obj)
  local methods = methods_of(obj)
  if methods then self:methods(name, methods) end
end

-- Tries each argument list in turn; the first object built, or nil.
local function build(f, arg_lists)
  for _, args in ipairs(arg_lists) do
    local ok, obj = pcall(f, table.unpack(args))
    if ok and obj ~= nil then return obj end
  end
  return nil
end

-- Constructors of a module (names starting with a capital letter that are functions).
local function constructors(mod)
  local out = {}
  for _, k in ipairs(sorted_keys(mod)) do
    if k:match("^%u") and type(mod[k]) == "function" then out[#out + 1] = k end
  end
  return out
end

local function walk_all()
  local w = walker()
  local mt = getmetatable(sfew)
  for _, k in ipairs(mt and mt.__fields or {}) do local _ = sfew[k] end -- lazy modules
  w:check("sfew", sfew)
  for _, k in ipairs(sorted_keys(sfew)) do
    local v = sfew[k]
    if type(v) == "table" then
      w:module("sfew." .. k, v)
    elseif type(v) == "function" then
      w:check("sfew." .. k, v, k)
    else
      w:check("sfew." .. k, "sfew." .. k)
    end
  end
  for _, name in ipairs { "sfew.script", "sfew.doc" } do w:module(name, require(name)) end

  local tensor, nn, optim, data = sfew.tensor, sfew.nn, sfew.optim, sfew.data
  local rng = sfew.rng(1)
  w:object("Tensor", tensor.zeros { 2, 3 })
  w:object("Rng", rng)

  -- Each layer and criterion, built with the arguments the first that works of these.
  local layer_args = { {}, { 2 }, { 0.5 }, { 2, 2 }, { 1, 1, 3 }, { 2, 2, 3 } }
  for _, k in ipairs(constructors(nn)) do
    local m = k == "Sequential" and nn.Sequential { nn.Linear(2, 2) }
      or build(nn[k], layer_args)
    if m then
      w:object(k, m)
    else
      w.missing[#w.missing + 1] = "nn." .. k .. " (no instance: add its arguments here)"
    end
  end

  -- Optimisers take parameters; schedules take an optimiser.
  local function params() return nn.Linear(2, 2, { rng = rng }):parameters() end
  local opt = optim.SGD(params(), { lr = 0.1 })
  for _, k in ipairs(constructors(optim)) do
    local o = build(optim[k], { { params(), { lr = 0.1 } }, { params() },
      { opt, { step_size = 1 } }, { opt, { T_max = 2 } }, { opt } })
    if o then
      w:object(k, o)
    else
      w.missing[#w.missing + 1] = "optim." .. k .. " (no instance: add its arguments here)"
    end
  end

  local ds = data.Dataset.new { x = tensor.zeros { 4, 2 }, y = tensor.new({ 4 }, { 1, 2, 1, 2 }) }
  w:object("Dataset", ds)
  w:object("Augment", data.augment { data.flip() })
  -- Objects of the modules loaded on first use, and of functions that may be absent from
  -- a build (skipped then).
  for name, make in pairs {
    Progress = function() return sfew.progress.new { total = 1, out = io.stderr } end,
    PCA = function() return sfew.features.pca_fit(tensor.randn({ 6, 3 }, rng), 2) end,
    FaceDetector = function() return data.face_detector() end,
  } do
    local ok, obj = pcall(make)
    if ok and obj ~= nil then w:object(name, obj) end
  end

  -- The experiment modules: every experiments/*.lua that is also a module (it ends with
  -- experiment.script or script.main); a plain script would run when required.
  local root = rawget(package, "sfew_root") or "."
  local names = data.list_dir(root .. "/experiments") or {}
  for _, file in ipairs(names) do
    local base = file:match("^([%w_]+)%.lua$")
    local f = base and io.open(root .. "/experiments/" .. file)
    local src = f and f:read("a") or ""
    if f then f:close() end
    if src:find("experiment%.script%(") or src:find("script\"?%)?%.main%(") then
      w:module("experiments." .. base, require("experiments." .. base))
    end
  end
  return w
end

describe("sfew.doc", function()
  describe("coverage", function()
    it("documents every public name reachable from sfew and the experiments", function()
      local w = walk_all()
      assert.is_true(w.count > 300, "the walk reached only " .. w.count .. " names")
      if #w.missing > 0 then
        error(("%d of %d names have no help() entry:\n  %s"):format(#w.missing, w.count,
          table.concat(w.missing, "\n  ")), 0)
      end
    end)
  end)
end)
