-- sfew.nn: layers and criteria (from the C module sfew.core.nn), plus Sequential,
-- specs (plain tables describing a network) and nn.build, which turns a spec back into
-- modules.
local argcheck = require "sfew.argcheck"
local core = require "sfew.core.nn"
local json = require "sfew.json"
local params = require "sfew.params"
local sio = require "sfew.io"

local M = {}
for name, fn in pairs(core) do M[name] = fn end

-- The constructors with an options table check its keys here (a misspelt key raises,
-- suggesting the right one) before the C constructor reads it; the C constructor's own
-- errors are raised again at the caller's line, naming the constructor.
local function keys(pos, list) return { pos = pos, set = argcheck.set(list) } end
local option_keys = {
  BatchNorm2d = keys(2, { "eps", "momentum", "affine" }),
  BatchNorm1d = keys(2, { "eps", "momentum", "affine" }),
  Dropout = keys(2, { "rng" }), Dropout2d = keys(2, { "rng" }),
  AvgPool2d = keys(2, { "stride", "padding", "count_include_pad" }),
  CrossEntropyLoss = keys(1, { "weight", "label_smoothing" }),
}
local function construct(name, ...)
  local ok, m = pcall(core[name], ...)
  if ok then return m end
  error((tostring(m):gsub("'sfew%.core%.nn%.", "'", 1)), 3)
end
for name, k in pairs(option_keys) do
  M[name] = function(...)
    argcheck.options((select(k.pos, ...)), k.set, k.pos, name)
    local m = construct(name, ...)
    return m
  end
end

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
require("sfew.nn_transfer")(Sequential, is_module)

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

function Sequential:save(path, extra)
  return M.save(self, path, extra)
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

Sequential.__tostring = function(net)
  local lines, count, shape = { "nn.Sequential {" }, 0, shapes(net)
  for _, p in ipairs(net:parameters()) do count = count + p:numel() end
  for i, m in ipairs(net) do
    local line = ("  (%d) %s"):format(i, (tostring(m):gsub("\n", "\n  ")))
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

-- Builds a module (or a Sequential) from a spec as m:spec() returns it.
-- opts.rng draws the initial weights (default: the default generator).
local builders = {
  Linear = function(s, o)
    return core.Linear(s.in_features, s.out_features, { bias = s.bias, rng = o.rng })
  end,
  Conv2d = function(s, o)
    return core.Conv2d(s.in_channels, s.out_channels, s.kernel,
      { stride = s.stride, padding = s.padding, bias = s.bias, rng = o.rng })
  end,
  MaxPool2d = function(s) return core.MaxPool2d(s.kernel, { stride = s.stride }) end,
  AvgPool2d = function(s)
    return core.AvgPool2d(s.kernel, { stride = s.stride, padding = s.padding,
      count_include_pad = s.count_include_pad })
  end,
  AdaptiveAvgPool2d = function(s) return core.AdaptiveAvgPool2d(s.output_size) end,
  Dropout = function(s) return core.Dropout(s.p) end,
  Dropout2d = function(s) return core.Dropout2d(s.p) end,
  LeakyReLU = function(s) return core.LeakyReLU(s.negative_slope) end,
  ELU = function(s) return core.ELU(s.alpha) end,
  CrossEntropyLoss = function(s)
    return core.CrossEntropyLoss { weight = s.weight, label_smoothing = s.label_smoothing }
  end,
}
for _, name in ipairs { "BatchNorm2d", "BatchNorm1d" } do
  builders[name] = function(s)
    return core[name](s.num_features, { eps = s.eps, momentum = s.momentum, affine = s.affine })
  end
end
for _, name in ipairs { "ReLU", "Sigmoid", "Tanh", "Flatten", "MSELoss" } do
  builders[name] = function() return core[name]() end
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
  return m
end

function M.build(spec, opts)
  argcheck.type(opts, "table", 2, "build", true)
  return build(spec, opts or {}, "")
end

-- ---- network files ------------------------------------------------------------------
-- A network file is a safetensors file holding the named parameters, the spec as JSON
-- ("sfew.spec") and caller data ("sfew.extra"); sfew.checkpoint adds training state.

local function check_net(net, pos, fname)
  if type(net) ~= "table" or type(net.named_parameters) ~= "function" then
    argcheck.expected(pos, fname, "a network with named_parameters", net, 2)
  end
end

-- nn.save(net, path [, extra]) -> true, or nil, message on file trouble. extra: a
-- JSON-able table stored under "sfew.extra".
function M.save(net, path, extra)
  check_net(net, 1, "save")
  argcheck.type(path, "string", 2, "save")
  local tensors = {}
  local err = params.put(net, "", tensors)
  if err then error(err, 2) end
  local meta = { ["sfew.kind"] = "net", ["sfew.extra"] = json.encode(extra or json.object()),
    ["sfew.spec"] = type(net.spec) == "function" and json.encode(net:spec()) or nil }
  return sio.save(path, tensors, meta)
end

-- The network meta["sfew.spec"] describes, with its parameters from the tensors of ts
-- under prefix; or nil, message. The tensors are checked against the spec before the
-- network is built, so a small file cannot make it allocate a huge one.
function M.from_file(ts, meta, prefix, path)
  local text = meta["sfew.spec"]
  if not text then
    return nil, ("checkpoint: '%s' holds no network spec (sfew.spec)"):format(path)
  end
  local spec, err = json.decode(text)
  if not spec then return nil, ("checkpoint: '%s': bad sfew.spec (%s)"):format(path, err) end
  local list = params.from_spec(spec)
  err = list and params.check(list, ts, prefix, path)
  if err then return nil, err end
  -- A spec the builder refuses (a negative size, an unknown layer) is a corrupt file,
  -- reported like one, not raised as misuse.
  local ok, net = pcall(M.build, spec)
  if not ok then
    return nil, ("checkpoint: '%s': bad sfew.spec (%s)"):format(path,
      (tostring(net):gsub("[%w_./-]*%.lua:%d+: ", "")))
  end
  err = params.check(params.expected(net), ts, prefix, path)
  if err then return nil, err end
  params.copy(net, ts, prefix)
  return net
end

-- nn.load(path [, io_opts]) -> net, extra; or nil, message when the file is missing or
-- corrupt, or its tensors do not fit the network its spec describes. Reads network files
-- and training checkpoints (whose network tensors are under "net.").
function M.load(path, opts)
  argcheck.type(path, "string", 1, "load")
  local ts, meta = sio.load(path, opts)
  if not ts then return nil, meta end
  local extra, err = json.decode(meta["sfew.extra"] or "{}")
  if err then return nil, ("checkpoint: '%s': bad sfew.extra (%s)"):format(path, err) end
  local net
  net, err = M.from_file(ts, meta, meta["sfew.kind"] == "train" and "net." or "", path)
  if not net then return nil, err end
  return net, extra
end

return M
