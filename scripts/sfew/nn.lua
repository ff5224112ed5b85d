-- sfew.nn: layers and criteria (from the C module sfew.core.nn), plus Sequential,
-- specs (plain tables describing a network) and nn.build, which turns a spec back into
-- modules.
local argcheck = require "sfew.argcheck"
local core = require "sfew.core.nn"
local json = require "sfew.json"
local params = require "sfew.params"
local sio = require "sfew.io"
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
  for k = #steps, 2, -1 do
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
  for i = 1, #self do self[i]:train() end
  return self
end

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

local SAVE_OPTIONS = argcheck.set { "extra", "names" }

-- net:save(path [, {extra = {...}, names = "sfew" | "torch"}]), see nn.save. Checked
-- here too, so a bad option is argument #2 of the method, as lauxlib counts.
function Sequential:save(path, opts)
  argcheck.type(path, "string", 1, "save")
  argcheck.options(opts, SAVE_OPTIONS, 2, "save")
  return M.save(self, path, opts)
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
local function describe(m)
  local mt = getmetatable(m)
  if type(m) ~= "table" or (type(mt) == "table" and rawget(mt, "__tostring")) then
    return tostring(m)
  end
  local ok, spec = pcall(function() return m:spec() end)
  if not ok or type(spec) ~= "table" then return tostring(m) end
  local keys, fields = {}, {}
  for k in pairs(spec) do
    if k ~= "type" and type(k) == "string" then keys[#keys + 1] = k end
  end
  table.sort(keys)
  for i, k in ipairs(keys) do fields[i] = k .. "=" .. tostring(spec[k]) end
  return ("nn.%s(%s)"):format(tostring(spec.type), table.concat(fields, ", "))
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
}
for _, name in ipairs { "ReLU", "Sigmoid", "Tanh", "Flatten", "CrossEntropyLoss", "MSELoss" } do
  builders[name] = function() return core[name]() end
end

-- Types whose builder came from nn.register (Lua-defined layers), by name.
local registered = {}

-- nn.register(type_name, builder): builder(spec, opts) -> module builds a layer of that
-- type from its spec (m:spec() must return {type = type_name, ...}) and opts.rng, so a
-- Lua-defined layer prints, clones, saves and loads like a built-in one. A Lua layer is
-- a table with forward, backward, parameters and spec (and zero_grad, train, evaluate
-- when a Sequential holding it is trained); its parameters are saved as "k.weight" and
-- "k.bias" when they are its weight and bias fields, else "k.1", "k.2", ...
function M.register(type_name, builder)
  argcheck.type(type_name, "string", 1, "register")
  argcheck.check(type_name:match("^[%a_][%w_]*$") ~= nil, 1, "register",
    "type name must be an identifier, got '" .. type_name .. "'")
  argcheck.check(not builders[type_name] or registered[type_name], 1, "register",
    ("'%s' is a built-in layer type"):format(type_name))
  argcheck.type(builder, "function", 2, "register")
  builders[type_name], registered[type_name] = builder, true
  params.registered[type_name] = true
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

-- ---- network files ------------------------------------------------------------------
-- A network file is a safetensors file holding the named parameters, the spec as JSON
-- ("sfew.spec") and caller data ("sfew.extra"); sfew.checkpoint adds training state.

local function check_net(net, pos, fname)
  if type(net) ~= "table" or type(net.named_parameters) ~= "function" then
    argcheck.expected(pos, fname, "a network with named_parameters", net, 2)
  end
end

-- The first layer (depth first) that nn.build could not rebuild from its spec, as
-- "layer 2 (a table with no spec method)" or "layer 3 (type 'Drop', which nn.register
-- does not know)"; nil when every layer can be rebuilt.
local function unbuildable(net, where)
  for i, m in ipairs(net) do
    local at = where .. i
    if getmetatable(m) == Sequential then
      local bad = unbuildable(m, at .. ".")
      if bad then return bad end
    else
      local ok, spec = pcall(function() return m:spec() end)
      if not ok or type(spec) ~= "table" then
        return ("layer %s (a %s with no spec method)"):format(at, type(m))
      elseif not builders[spec.type] then
        return ("layer %s (type '%s', which nn.register does not know)")
          :format(at, tostring(spec.type))
      end
    end
  end
end

-- nn.save(net, path [, {extra = {...}, names = "sfew" | "torch"}]) -> true, or nil,
-- message on file trouble. extra: a JSON-able table stored under "sfew.extra". names =
-- "torch" writes PyTorch's 0-based layer numbers ("0.weight"; nn.load reads them back,
-- PyTorch's load_state_dict takes them). A network nn.load could not rebuild (a
-- Lua-defined layer whose type is not registered) raises instead of writing a file.
function M.save(net, path, opts)
  check_net(net, 1, "save")
  argcheck.type(path, "string", 2, "save")
  opts = argcheck.options(opts, SAVE_OPTIONS, 3, "save")
  if opts.names ~= nil and opts.names ~= "sfew" and opts.names ~= "torch" then
    argcheck.error(3, "save", "option 'names' must be \"sfew\" or \"torch\", got "
      .. tostring(opts.names))
  end
  if getmetatable(net) == Sequential then
    local bad = unbuildable(net, "")
    if bad then
      error("nn.save: " .. bad .. ": nn.load could not rebuild it; register its type with "
        .. "nn.register(type_name, builder)", 2)
    end
  end
  local tensors = {}
  local err = params.put(net, "", tensors)
  if err then error(err, 2) end
  local meta = { ["sfew.kind"] = "net",
    ["sfew.extra"] = json.encode(opts.extra or json.object()),
    ["sfew.spec"] = type(net.spec) == "function" and json.encode(net:spec()) or nil }
  return sio.save(path, tensors, meta, { names = opts.names })
end

-- The network meta["sfew.spec"] describes, with its parameters from the tensors of ts
-- under prefix; or nil, message. The tensors are checked against the spec before the
-- network is built, so a small file cannot make it allocate a huge one.
function M.from_file(ts, meta, prefix, path)
  local text = meta["sfew.spec"]
  if not text and params.zero_based(ts, prefix) then
    return nil, ("checkpoint: '%s' holds no network spec and names its tensors 0-based, as "
      .. "PyTorch does (0.weight): read it with nn.from_torch(path, spec)"):format(path)
  elseif not text then
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
  ts = params.from_torch_names(ts, meta)
  local extra, err = json.decode(meta["sfew.extra"] or "{}")
  if err then return nil, ("checkpoint: '%s': bad sfew.extra (%s)"):format(path, err) end
  local net
  net, err = M.from_file(ts, meta, meta["sfew.kind"] == "train" and "net." or "", path)
  if not net then return nil, err end
  return net, extra
end

-- nn.from_torch(path, spec_or_net [, io_opts]) -> net, or nil, message: a network whose
-- parameters come from a safetensors file named as PyTorch names an nn.Sequential's
-- state_dict ("0.weight", "3.bias": the layer's index - 1, counting the layers without
-- parameters), e.g. one written by safetensors.torch.save_file(model.state_dict(), path)
-- or by net:save(path, {names = "torch"}). spec_or_net is a spec (as net:spec() returns
-- it; the network is built from it) or a Sequential, filled in place. Every name and
-- shape must match both ways. A file sfew wrote with its own 1-based names is refused
-- (read it with nn.load), so no tensor lands in the wrong layer.
function M.from_torch(path, target, opts)
  argcheck.type(path, "string", 1, "from_torch")
  local is_net = getmetatable(target) == Sequential
  if not is_net and not (type(target) == "table" and type(target.type) == "string") then
    argcheck.expected(2, "from_torch", "network spec or Sequential", target)
  end
  local ts, meta = sio.load(path, opts)
  if not ts then return nil, meta end
  if meta["sfew.kind"] and meta["sfew.names"] ~= "torch" then
    return nil, ("from_torch: '%s' holds sfew's 1-based names (1.weight): read it with "
      .. "nn.load"):format(path)
  end
  local function torch_list(list)
    local out = {}
    for i, p in ipairs(list) do out[i] = { name = params.torch_name(p.name), shape = p.shape } end
    return out
  end
  local function check(list)
    local err = params.check(torch_list(list), ts, "", path, true)
    return err and (err:gsub("^checkpoint: ", "from_torch: "))
  end
  -- Checked against the spec before building, so a small file cannot make it allocate
  -- a huge network.
  local list = not is_net and params.from_spec(target)
  local err = list and check(list)
  if err then return nil, err end
  local net = is_net and target or M.build(target, { rng = sys.rng(0) })
  err = check(params.expected(net))
  if err then return nil, err end
  for _, np in ipairs(net:named_parameters()) do
    np.tensor:copy(ts[params.torch_name(np.name)])
  end
  return net
end

-- ---- documentation (help) -------------------------------------------------------------
-- One block for the whole module: constructors, Sequential and the methods of the C layers
-- (by type name, as help(net[1]) finds them).
local doc = require "sfew.doc"
doc.register(M, "sfew.nn", "Layers, criteria, Sequential, and network files (save, load).")
doc.table(M, {
  Linear = { "nn.Linear(in, out [, {bias = true, rng}])",
    "A fully connected layer: y = x W^T + b, W out x in, PyTorch's initialisation. "
    .. "", "nn.Linear(32 * 10 * 13, 7, {rng = sfew.rng(1)})" },
  Conv2d = { "nn.Conv2d(cin, cout, k [, {stride = 1, padding = 0, bias = true, rng}])",
    "A 2-D convolution over (N, cin, H, W) with k x k kernels; weight cout x cin x k x k. "
    .. "", "nn.Conv2d(1, 16, 5, {rng = sfew.rng(1)})" },
  MaxPool2d = { "nn.MaxPool2d(k [, {stride = k}])",
    "Max-pooling over k x k windows (floor mode). ", "nn.MaxPool2d(2)" },
  ReLU = { "nn.ReLU()", "Element-wise max(0, x)." },
  Sigmoid = { "nn.Sigmoid()", "Element-wise 1 / (1 + exp(-x))." },
  Tanh = { "nn.Tanh()", "Element-wise hyperbolic tangent." },
  Flatten = { "nn.Flatten()", "Reshapes (N, ...) to (N, features), a view." },
  CrossEntropyLoss = { "nn.CrossEntropyLoss()",
    "Criterion: softmax cross-entropy from logits, mean over the batch; targets 1-based." },
  MSELoss = { "nn.MSELoss()", "Criterion: mean squared error over all elements." },
  BatchNorm2d = { "nn.BatchNorm2d(c [, {eps = 1e-5, momentum = 0.1, affine = true}])",
    "Batch normalisation of the c channels of (N, c, H, W), with running statistics." },
  BatchNorm1d = { "nn.BatchNorm1d(c [, {eps = 1e-5, momentum = 0.1, affine = true}])",
    "Batch normalisation of the c features of (N, c), with running statistics." },
  Dropout = { "nn.Dropout(p [, {rng}])",
    "Zeroes each element with probability p in training (scaling the rest by 1 / (1 - p))." },
  Dropout2d = { "nn.Dropout2d(p [, {rng}])",
    "Zeroes whole channels with probability p in training (the rest scaled by 1 / (1 - p))." },
  AvgPool2d = { "nn.AvgPool2d(k [, {stride = k, padding = 0, count_include_pad = true}])",
    "Average pooling over k x k windows." },
  AdaptiveAvgPool2d = { "nn.AdaptiveAvgPool2d(size | {oh, ow})",
    "Average pooling to a fixed output size." },
  LeakyReLU = { "nn.LeakyReLU([slope = 0.01])", "Element-wise x for x > 0, slope * x otherwise." },
  ELU = { "nn.ELU([alpha = 1])", "Element-wise x for x > 0, alpha * (exp(x) - 1) otherwise." },
  register = { "nn.register(type_name, builder)",
    "Lets a Lua-defined layer (whose spec() has type = type_name) print, clone, save and load "
    .. "like a built-in one: builder(spec, opts) builds it." },
  from_torch = { "nn.from_torch(path, spec_or_net [, io_opts])",
    "A network whose parameters come from a safetensors file with PyTorch's nn.Sequential "
    .. "names (\"0.weight\"); nil, message." },
  Sequential = { "nn.Sequential{m1, m2, ...}",
    "A chain of modules; net[i] is module i, #net their count. "
    .. "", "nn.Sequential{nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)}" },
  build = { "nn.build(spec [, {rng}])",
    "A module or Sequential built from a spec table as m:spec() returns it (new weights)." },
  save = { "nn.save(net, path [, extra])",
    "Writes the net's parameters and spec (and JSON-able extra) to a safetensors file; "
    .. "true, or nil, message. ", "nn.save(net, \"net.safetensors\", {epoch = 5})" },
  load = { "nn.load(path [, {max_bytes}])",
    "The network saved in path (a net file or a training checkpoint) and its extra; "
    .. "nil, message on trouble. ", "net, extra = nn.load(\"net.safetensors\")" },
  from_file = { "nn.from_file(tensors, meta, prefix, path)",
    "The network meta[\"sfew.spec\"] describes, with parameters from tensors under prefix; "
    .. "or nil, message (used by nn.load and checkpoint.load)." },
})
doc.table(Sequential, {
  add = { "net:add(m)", "Appends module m; returns net." },
  forward = { "net:forward(x)",
    "Runs x through every module; returns the output (also net.output)." },
  backward = { "net:backward(x, grad_out [, need_input = true])",
    "Backpropagates after net:forward(x); adds into parameter gradients; returns grad_input." },
  clear = { "net:clear()", "Frees the outputs and gradients the modules hold; returns net." },
  parameters = { "net:parameters()", "The parameter tensors of every module, in order." },
  named_parameters = { "net:named_parameters()",
    "{name = \"1.weight\", tensor = p} for each parameter (1-based layer indices)." },
  zero_grad = { "net:zero_grad()", "Sets every parameter gradient to zero; returns net." },
  train = { "net:train()", "Training mode for every module; returns net." },
  evaluate = { "net:evaluate()", "Evaluation mode for every module; returns net." },
  spec = { "net:spec()", "A plain table describing the architecture, for nn.build." },
  forward_to = { "net:forward_to(x, k)", "The output of layer k for x, running layers 1..k." },
  clone = { "net:clone()", "A deep copy with its own parameters (same values, masks and mode)." },
  state_dict = { "net:state_dict([{torch = false}])",
    "The parameters by name, \"1.weight\" (or PyTorch's \"0.weight\" with torch = true)." },
  freeze = { "net:freeze([first = 1 [, last = #net]])",
    "Keeps the parameters of layers first..last fixed in training; returns net." },
  unfreeze = { "net:unfreeze([first = 1 [, last = #net]])",
    "Undoes net:freeze for those layers; returns net." },
  frozen = { "net:frozen(i)", "Whether layer i is frozen." },
  trainable_parameters = { "net:trainable_parameters()",
    "The parameters of the layers that are not frozen (what an optimiser should get)." },
  frozen_parameters = { "net:frozen_parameters()", "The parameters of the frozen layers." },
  replace = { "net:replace(i, m)", "Puts module m in place of layer i; returns net." },
  save = { "net:save(path [, extra])",
    "nn.save(net, path, extra): parameters, spec and extra to a safetensors file. "
    .. "", "assert(net:save(\"net.safetensors\"))" },
})

-- The C layers and criteria: their types and methods.
local common = {
  parameters = { "l:parameters()", "The layer's parameter tensors (weight, bias), or {}." },
  zero_grad = { "l:zero_grad()", "Sets the parameter gradients to zero; returns l." },
  train = { "l:train()", "Training mode; returns l." },
  evaluate = { "l:evaluate()", "Evaluation mode; returns l." },
  spec = { "l:spec()", "A plain table describing the layer ({type = \"Linear\", ...})." },
  clear = { "l:clear()", "Frees the output and input gradient the layer holds; returns l." },
}
local forward = { "l:forward(x)", "The layer's output for x (also l.output, owned by l)." }
local backward = { "l:backward(x, grad_out)",
  "The gradient with respect to x (also l.grad_input); adds into parameter gradients." }
local set_params = { "l:set_params(weight, bias)",
  "Replaces the parameters by copies of weight and bias (shapes may change)." }
local types = {
  Linear = { "Linear layer (nn.Linear): l.weight (out x in), l.bias, l.output, l.training.",
    { set_params = set_params } },
  Conv2d = { "Conv2d layer (nn.Conv2d): l.weight (cout x cin x k x k), l.bias, l.output.",
    { set_params = set_params,
      backward = { "l:backward(x, grad_out [, need_input = true])", backward[2]
        .. " need_input = false skips it (nil)." },
      set_mask = { "l:set_mask(list | nil)",
        "Zeroes the 1-based kernels in list and keeps them zero through training; nil clears." },
      mask = { "l:mask()", "The 1-based list of masked kernels (empty when none)." } } },
  MaxPool2d = { "MaxPool2d layer (nn.MaxPool2d).",
    { forward_relu = { "l:forward_relu(x)",
      "Pools ReLU(x) in one pass; the next backward gives the gradient before the ReLU." } } },
  ReLU = { "ReLU activation (nn.ReLU).",
    { forward_ = { "l:forward_(x)", "ReLU in place on x; returns x." },
      backward_ = { "l:backward_(x, g)", "Overwrites g with the input gradient; returns g." } } },
  Sigmoid = { "Sigmoid activation (nn.Sigmoid).", {} },
  Tanh = { "Tanh activation (nn.Tanh).", {} },
  Flatten = { "Flatten module (nn.Flatten): (N, ...) -> (N, features) views.", {} },
  CrossEntropyLoss = { "Cross-entropy criterion (nn.CrossEntropyLoss).",
    { forward = { "c:forward(logits, target)",
      "The mean cross-entropy (a number); target: 1-based classes, a tensor or a list." },
      backward = { "c:backward(logits, target)", "The gradient with respect to logits." },
      correct = { "c:correct(logits, target)",
        "How many rows have their largest logit at the target class." } } },
  BatchNorm2d = { "BatchNorm2d layer (nn.BatchNorm2d): l.weight, l.bias (c each), l.output.",
    { set_params = { "l:set_params(weight, bias, running_mean, running_var)",
      "Replaces parameters and running statistics by copies (weight, bias nil without affine)." },
      named_buffers = { "l:named_buffers()",
        "{{name = \"running_mean\", tensor = ...}, {name = \"running_var\", ...}}: views." } } },
  BatchNorm1d = { "BatchNorm1d layer (nn.BatchNorm1d).", {} },
  Dropout = { "Dropout module (nn.Dropout): identity in evaluation mode.", {} },
  Dropout2d = { "Dropout2d module (nn.Dropout2d): identity in evaluation mode.", {} },
  AvgPool2d = { "AvgPool2d layer (nn.AvgPool2d).", {} },
  AdaptiveAvgPool2d = { "AdaptiveAvgPool2d layer (nn.AdaptiveAvgPool2d).", {} },
  LeakyReLU = { "LeakyReLU activation (nn.LeakyReLU).", {} },
  ELU = { "ELU activation (nn.ELU).", {} },
  MSELoss = { "Mean squared error criterion (nn.MSELoss).",
    { forward = { "c:forward(input, target)", "The mean squared error (a number)." },
      backward = { "c:backward(input, target)", "The gradient with respect to input." } } },
}
for name, t in pairs(types) do
  doc.register("sfew." .. name, name, t[1])
  local methods = doc.methods("sfew." .. name)
  if methods then
    local d = { forward = forward, backward = backward }
    for k, v in pairs(common) do d[k] = v end
    for k, v in pairs(t[2]) do d[k] = v end
    doc.table(methods, d)
  end
end

return M
