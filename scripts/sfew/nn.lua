-- sfew.nn: layers and criteria (from the C module sfew.core.nn), plus Sequential,
-- specs (plain tables describing a network) and nn.build, which turns a spec back into
-- modules.
local argcheck = require "sfew.argcheck"
local core = require "sfew.core.nn"
local install_docs = require "sfew.nn_doc"
local install_files = require "sfew.nn_files"
local install_layers = require "sfew.nn_layers"
local install_transfer = require "sfew.nn_transfer"
local params = require "sfew.params"
local sys = require "sfew.core.sys"

local M = {}
for name, fn in pairs(core) do M[name] = fn end


local function module_type(m)
  if type(m) == "table" and getmetatable(m) == M.Sequential then return "Sequential" end
  local ok, spec = pcall(function() return m:spec() end)
  return ok and type(spec) == "table" and spec.type or "module"
end

local function is_module(m)
  local t = type(m)
  if t ~= "table" and t ~= "userdata" then return false end
  local ok, yes = pcall(function()
    return type(m.forward) == "function" and type(m.backward) == "function"
  end)
  return ok and yes
end

-- A Sequential is a table holding its modules at 1..n (so net[i] and #net are plain
-- table operations) and the methods below through a plain __index table. Like every
-- module it owns its results: net.output is the last module's output and net.grad_input
-- the first one's input gradient, valid until the net's next call.
local Sequential = {}
Sequential.__index = Sequential
M.Sequential = setmetatable(Sequential, {
  __call = function(_, modules)
    local net = setmetatable({ _types = {}, _steps = {}, _inputs = {}, training = true },
      Sequential)
    if modules ~= nil then argcheck.type(modules, "table", 1, "Sequential") end
    for i, m in ipairs(modules or {}) do
      argcheck.check(is_module(m), 1, "Sequential", ("entry %d is not a module"):format(i))
      net:add(m)
    end
    return net
  end,
})

-- The forward pass runs as steps, planned once as modules are added. A step is one
-- module, or a ReLU and the MaxPool2d after it run as one pass of the pool
-- (pool:forward_relu): the ReLU's output is never written, and the pool's backward
-- already gives the gradient before the ReLU. The calls are written as method calls so a
-- C function's "bad argument #k" counts after self.
local function module_step(m, i)
  return { first = i, last = i, forward = function(x) return m:forward(x) end,
    backward = function(x, g, need_input) return m:backward(x, g, need_input) end }
end

local function fused_step(pool, i)
  return { first = i - 1, last = i, forward = function(x) return pool:forward_relu(x) end,
    backward = function(x, g) return pool:backward(x, g) end }
end

function Sequential:add(m)
  if not is_module(m) then argcheck.expected(1, "add", "module", m) end
  local i, steps = #self + 1, self._steps
  self[i] = m
  self._types[i] = module_type(m)
  if self._types[i] == "MaxPool2d" and self._types[i - 1] == "ReLU"
      and type(m) == "userdata" and m.forward_relu then
    steps[#steps] = fused_step(m, i)
  else
    steps[#steps + 1] = module_step(m, i)
  end
  self._inputs = {}
  return self
end

-- Re-raises a failure of step k naming its layer (without the position inside this
-- file, which would only mislead).
local function fail(self, k, msg)
  local i = self._steps[k].last
  msg = tostring(msg):gsub("^[^:\n]*nn%.lua:%d+: ", "")
  error(("Sequential layer %d (%s): %s"):format(i, self._types[i], msg), 3)
end

local function run_forward(self, x)
  local steps, inputs = self._steps, self._inputs
  for k = 1, #steps do
    self._at = k
    inputs[k] = x
    x = steps[k].forward(x)
  end
  return x
end

function Sequential:forward(x)
  local ok, out = pcall(run_forward, self, x)
  if not ok then
    self._inputs = {} -- a backward now asks for a forward instead of mixing two passes
    fail(self, self._at, out)
  end
  self.output = out
  return out
end

local function run_backward(self, x, g, need_input)
  local steps, inputs = self._steps, self._inputs
  -- a frozen prefix (see freeze) needs no gradient when the input needs none either
  local stop = need_input == false and self._frozen_upto or 0
  for k = #steps, 2, -1 do
    if steps[k - 1].last <= stop then
      self._at = k
      return steps[k].backward(inputs[k], g, false)
    end
    self._at = k
    g = steps[k].backward(inputs[k], g)
  end
  self._at = 1
  return steps[1].backward(x, g, need_input)
end

-- Returns grad_input (also kept as net.grad_input). need_input = false lets a first
-- Conv2d skip its input gradient (training does not need it) and makes the result nil.
function Sequential:backward(x, grad_out, need_input)
  local n = #self._steps
  if #self._inputs ~= n then
    error("Sequential:backward needs a forward on the same input first", 2)
  end
  if n == 0 then return grad_out end
  local ok, g = pcall(run_backward, self, x, grad_out, need_input)
  if not ok then fail(self, self._at, g) end
  self.grad_input = g
  return g
end

-- Frees what the modules hold from the last call (a training step does this when asked,
-- so nothing stays allocated between steps); they allocate again at the next call.
function Sequential:clear()
  for i = 1, #self do
    if self[i].clear then self[i]:clear() end
  end
  self._inputs, self.output, self.grad_input = {}, nil, nil
  return self
end

function Sequential:parameters()
  local list = {}
  for _, m in ipairs(self) do
    for _, p in ipairs(m:parameters()) do list[#list + 1] = p end
  end
  return list
end

-- {name = "1.weight", tensor = ...} in the order of parameters(); nested containers
-- give "2.1.weight".
function Sequential:named_parameters()
  local list = {}
  for i, m in ipairs(self) do
    if m.named_parameters then
      for _, np in ipairs(m:named_parameters()) do
        list[#list + 1] = { name = i .. "." .. np.name, tensor = np.tensor }
      end
    else
      for j, p in ipairs(m:parameters()) do
        local name = rawequal(p, m.weight) and "weight" or rawequal(p, m.bias) and "bias"
          or tostring(j)
        list[#list + 1] = { name = i .. "." .. name, tensor = p }
      end
      -- state that is saved but not trained (BatchNorm's running statistics)
      for _, nb in ipairs(m.named_buffers and m:named_buffers() or {}) do
        list[#list + 1] = { name = i .. "." .. nb.name, tensor = nb.tensor }
      end
    end
  end
  return list
end

-- Numeric loops here and in train/evaluate: ipairs would add a C call per module to
-- every training step.
function Sequential:zero_grad()
  for i = 1, #self do self[i]:zero_grad() end
  return self
end

function Sequential:train()
  self.training = true
  local frozen = self._frozen or {}
  for i = 1, #self do
    if frozen[i] then self[i]:evaluate() else self[i]:train() end
  end
  return self
end

-- freeze, unfreeze, frozen, trainable_parameters, frozen_parameters, replace
install_transfer(Sequential, is_module)

function Sequential:evaluate()
  self.training = false
  for i = 1, #self do self[i]:evaluate() end
  return self
end

function Sequential:spec()
  local layers = {}
  for i, m in ipairs(self) do layers[i] = m:spec() end
  return { type = "Sequential", layers = layers }
end

-- net:forward_to(x, k) -> the output of layer k (net[k].output for a built-in layer),
-- running layers 1..k one by one. The layers after k keep what they held, so a backward
-- needs a full forward first.
function Sequential:forward_to(x, k)
  if math.type(k) ~= "integer" or k < 1 or k > #self then
    argcheck.error(2, "forward_to", ("layer index in 1..%d expected, got %s")
      :format(#self, tostring(k)))
  end
  self._inputs = {}
  for i = 1, k do
    local ok, out = pcall(self[i].forward, self[i], x)
    if not ok then
      error(("Sequential layer %d (%s): %s"):format(i, self._types[i],
        (tostring(out):gsub("^[^\n]-sfew/[%w_/]+%.lua:%d+: ", ""))), 2)
    end
    x = out
  end
  return x
end

-- net:clone() -> a deep copy: the same layers (built from the spec, so Lua layers need
-- nn.register), its own parameters holding the same values, the same kernel masks and
-- mode. Building draws no numbers from the default generator.
function Sequential:clone()
  local copy = M.build(self:spec(), { rng = sys.rng(0) })
  local src, dst = self:named_parameters(), copy:named_parameters()
  for i, np in ipairs(src) do dst[i].tensor:copy(np.tensor) end
  local function masks(a, b)
    for i, m in ipairs(a) do
      if getmetatable(m) == Sequential then
        masks(m, b[i])
      elseif type(m) == "userdata" and m.mask and #m:mask() > 0 then
        b[i]:set_mask(m:mask())
      end
    end
  end
  masks(self, copy)
  if not self.training then copy:evaluate() end
  return copy
end

local STATE_OPTIONS = argcheck.set { "torch" }

-- net:state_dict([{torch = true}]) -> {name = tensor}: the parameters by name, "1.weight"
-- (sfew's layer numbers) or, with torch = true, "0.weight" as PyTorch's nn.Sequential
-- numbers the same layers. The tensors are the parameters themselves, not copies.
function Sequential:state_dict(opts)
  opts = argcheck.options(opts, STATE_OPTIONS, 1, "state_dict")
  local out = {}
  for _, np in ipairs(self:named_parameters()) do
    out[opts.torch and params.torch_name(np.name) or np.name] = np.tensor
  end
  return out
end

-- Per-sample output shapes (without N) of each layer after the last forward, by layer
-- index; a ReLU run inside the pool after it has its input's shape.
local function shapes(net)
  local steps, inputs, out = net._steps, net._inputs, {}
  if #inputs ~= #steps or net.output == nil then return out end
  local function per_sample(t)
    local ok, s = pcall(function() return t:shape() end)
    return ok and table.concat(table.move(s, 2, #s, 1, {}), "x") or nil
  end
  for k, s in ipairs(steps) do
    out[s.last] = per_sample(inputs[k + 1] or net.output)
    if s.first < s.last then out[s.first] = per_sample(inputs[k]) end
  end
  return out
end

-- How a module prints: its own __tostring when it has one, else (a Lua-defined layer)
-- "nn.Type(field=value, ...)" from its spec, as the C layers print.
-- "nn.Type(field=value, ...)" from a Lua layer's spec, or nil without one.
local function spec_text(m)
  local ok, spec = pcall(function() return m:spec() end)
  if not ok or type(spec) ~= "table" then return nil end
  local keys, fields = {}, {}
  for k in pairs(spec) do
    if k ~= "type" and type(k) == "string" then keys[#keys + 1] = k end
  end
  table.sort(keys)
  for i, k in ipairs(keys) do fields[i] = k .. "=" .. tostring(spec[k]) end
  return ("nn.%s(%s)"):format(tostring(spec.type), table.concat(fields, ", "))
end

local function describe(m)
  local mt = getmetatable(m)
  if type(m) ~= "table" or (type(mt) == "table" and rawget(mt, "__tostring")) then
    return tostring(m)
  end
  return spec_text(m) or tostring(m)
end

Sequential.__tostring = function(net)
  local lines, count, shape = { "nn.Sequential {" }, 0, shapes(net)
  for _, p in ipairs(net:parameters()) do count = count + p:numel() end
  for i, m in ipairs(net) do
    local line = ("  (%d) %s"):format(i, (describe(m):gsub("\n", "\n  ")))
    if shape[i] then line = line .. " -> " .. shape[i] end
    lines[#lines + 1] = line
  end
  lines[#lines + 1] = ("}  %d parameters"):format(count)
  return table.concat(lines, "\n")
end

-- A method called on the class table or on nil (nn.Sequential.forward(x), a dot for a
-- colon) raises naming the method, as Lua does for C methods, not an index error inside.
-- The tail call keeps error levels inside the methods pointing at the user's code.
for name, f in pairs(Sequential) do
  if type(f) == "function" and not name:match("^__") then
    Sequential[name] = function(self, ...)
      if getmetatable(self) ~= Sequential then
        error(("calling '%s' on bad self (Sequential expected, got %s)"):format(name,
          type(self) == "table" and "a plain table" or type(self)), 2)
      end
      return f(self, ...)
    end
  end
end

-- Builds a module (or a Sequential) from a spec as m:spec() returns it (the built-in
-- types' builders are in nn_layers.lua).
local builders = install_layers(M)

-- Types whose builder came from nn.register (Lua-defined layers), by name.
local registered = {}

-- nn.register(type_name, builder [, class]): builder(spec, opts) -> module builds a layer of that
-- type from its spec (m:spec() must return {type = type_name, ...}) and opts.rng, so a
-- Lua-defined layer prints, clones, saves and loads like a built-in one. A Lua layer is
-- a table with forward, backward, parameters and spec (and zero_grad, train, evaluate
-- when a Sequential holding it is trained); its parameters are saved as "k.weight" and
-- "k.bias" when they are its weight and bias fields, else "k.1", "k.2", ... class: the
-- metatable its instances share, given a __tostring (unless it has one) so that an
-- instance prints as "nn.Type(field=...)" on its own too, not only inside a Sequential.
function M.register(type_name, builder, class)
  argcheck.type(type_name, "string", 1, "register")
  argcheck.check(type_name:match("^[%a_][%w_]*$") ~= nil, 1, "register",
    "type name must be an identifier, got '" .. type_name .. "'")
  argcheck.check(not builders[type_name] or registered[type_name], 1, "register",
    ("'%s' is a built-in layer type"):format(type_name))
  argcheck.type(builder, "function", 2, "register")
  argcheck.type(class, "table", 3, "register", true)
  builders[type_name], registered[type_name] = builder, true
  params.registered[type_name] = true
  -- the layer's own metatable, when given, prints its instances as a built-in layer's
  if class and rawget(class, "__tostring") == nil then
    class.__tostring = function(m) return spec_text(m) or ("table: %p"):format(m) end
  end
end

local function build(spec, opts, where)
  if type(spec) ~= "table" then
    argcheck.error(1, "build", ("%sspec table expected, got %s")
      :format(where, argcheck.typename(spec)), 2)
  end
  if spec.type == "Sequential" then
    local net = M.Sequential {}
    for i, s in ipairs(spec.layers or {}) do
      net:add(build(s, opts, where .. "layer " .. i .. ": "))
    end
    return net
  end
  local b = builders[spec.type]
  if not b then
    argcheck.error(1, "build", ("%sunknown module type '%s'")
      :format(where, tostring(spec.type)), 2)
  end
  local ok, m = pcall(b, spec, opts)
  if not ok then error(("nn.build: %s%s: %s"):format(where, spec.type, m), 3) end
  if not is_module(m) then
    error(("nn.build: %s%s: the registered builder returned %s, not a module")
      :format(where, spec.type, argcheck.typename(m)), 3)
  end
  return m
end

local BUILD_OPTIONS = argcheck.set { "rng" }

function M.build(spec, opts)
  argcheck.options(opts, BUILD_OPTIONS, 2, "build")
  return build(spec, opts or {}, "")
end

install_files(M, Sequential, builders)
install_docs(M, Sequential)

return M
