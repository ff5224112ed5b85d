-- sfew.nn: layers and criteria (from the C module sfew.core.nn), plus Sequential,
-- specs (plain tables describing a network) and nn.build, which turns a spec back into
-- modules.
local core = require "sfew.core.nn"

local M = {}
for name, fn in pairs(core) do M[name] = fn end

-- Modules whose forward and backward return fresh tensors nobody else holds, and whose
-- backward needs only their input: a ReLU after one of these may work in place.
local FRESH = { Linear = true, Conv2d = true, MaxPool2d = true, ReLU = true, Sigmoid = true,
                Tanh = true }
-- Modules whose result is a new object (maybe a view) that the caller may free.
local OWNS_RESULT = { Flatten = true, Sequential = true }
for k in pairs(FRESH) do OWNS_RESULT[k] = true end

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

local Sequential = {}
M.Sequential = setmetatable(Sequential, {
  __call = function(_, modules)
    local net = setmetatable({ _modules = {}, _types = {}, _bufs = {}, _gbufs = {},
      _bufset = setmetatable({}, {__mode = "k"}), training = true }, Sequential)
    if modules ~= nil and type(modules) ~= "table" then
      error("bad argument #1 to 'Sequential' (list of modules expected, got "
        .. type(modules) .. ")", 2)
    end
    for i, m in ipairs(modules or {}) do
      if not is_module(m) then
        error(("bad argument #1 to 'Sequential' (entry %d is not a module)"):format(i), 2)
      end
      net:add(m)
    end
    return net
  end,
})

Sequential.__index = function(net, key)
  if math.type(key) == "integer" then return rawget(net, "_modules")[key] end
  return Sequential[key]
end

Sequential.__len = function(net) return #net._modules end

function Sequential:add(m)
  if not is_module(m) then
    error("bad argument #1 to 'add' (module expected, got " .. type(m) .. ")", 2)
  end
  local i = #self._modules + 1
  self._modules[i] = m
  self._types[i] = module_type(m)
  return self
end

-- Method calls written out, so a C function's "bad argument #k" counts after self.
local invoke = {
  forward = function(m, a, b) return m:forward(a, b) end,
  forward_ = function(m, a) return m:forward_(a) end,
  forward_relu = function(m, a, b) return m:forward_relu(a, b) end,
  backward = function(m, a, b, c) return m:backward(a, b, c) end,
  backward_ = function(m, a, b) return m:backward_(a, b) end,
}

-- Calls m:method(...) and re-raises a failure naming the layer (without the position
-- inside this file, which would only mislead).
local function call(self, i, method, a, b, c)
  local ok, res = pcall(invoke[method], self._modules[i], a, b, c)
  if not ok then
    local msg = tostring(res):gsub("^[^:\n]*nn%.lua:%d+: ", "")
    error(("Sequential layer %d (%s): %s"):format(i, self._types[i], msg), 3)
  end
  return res
end

-- Intermediate results live in buffers the container owns (self._bufs[i] for layer i's
-- output, self._gbufs[i] for its input gradient), handed back to the layers as
-- destinations: a training loop over chunks then allocates nothing after the first one.
-- The net's result and the input gradient it returns are never buffers, so tensors a
-- caller holds stay valid.

-- Frees the intermediate results of the last forward that are not buffers (views made
-- by Flatten, results of nested containers), never x or the returned result: a view left
-- alive would pin a buffer's storage and force a new one at the next resize.
local function release(self)
  local outs = self._outputs
  if not outs then return end
  local last, bufs, fused = outs[#outs], self._bufset, self._fused
  for i = 1, #outs - 1 do
    local o = outs[i]
    if OWNS_RESULT[self._types[i]] and not fused[i + 1] and not bufs[o] and not rawequal(o, last)
      and not rawequal(o, self._input) then
      o:free()
    end
  end
  self._outputs = nil
end

local function keep(self, list, i, t)
  list[i] = t
  self._bufset[t] = true
  return t
end

-- A ReLU followed by a MaxPool2d runs as one pass of the pool (forward_relu): the ReLU's
-- output is never written, and the pool's backward already gives the gradient before the
-- ReLU. fused[i] marks such a pool; the ReLU at i - 1 passes its input through.
local function fusable(self, i)
  local nxt = self._modules[i + 1]
  return self._types[i] == "ReLU" and self._types[i + 1] == "MaxPool2d"
    and type(nxt) == "userdata" and nxt.forward_relu ~= nil
end

function Sequential:forward(x)
  release(self)
  local n, types, bufs = #self._modules, self._types, self._bufs
  local outs, shapes, cur, fused = {}, {}, x, {}
  for i, m in ipairs(self._modules) do
    if fused[i] then
      cur = i < n and keep(self, bufs, i, call(self, i, "forward_relu", cur, bufs[i]))
        or call(self, i, "forward_relu", cur)
    elseif fusable(self, i) then
      fused[i + 1] = true
    elseif i > 1 and i < n and m.forward_ and FRESH[types[i - 1]] then
      cur = call(self, i, "forward_", cur) -- ReLU in place on our own buffer
    elseif i < n and FRESH[types[i]] then
      cur = keep(self, bufs, i, call(self, i, "forward", cur, bufs[i]))
    else
      cur = call(self, i, "forward", cur)
    end
    outs[i] = cur
    shapes[i] = cur:shape()
  end
  self._outputs, self._input, self._shapes, self._fused = outs, x, shapes, fused
  return cur
end

-- Returns grad_input. need_input = false lets a first Conv2d skip its input gradient
-- (training does not need it) and makes the result nil.
function Sequential:backward(x, grad_out, need_input)
  local n, types, gbufs = #self._modules, self._types, self._gbufs
  local outs = self._outputs
  if not outs or #outs ~= n then
    error("Sequential:backward needs a forward on the same input first", 2)
  end
  local g, owned, fused = grad_out, false, self._fused -- owned: g is ours to overwrite or free
  for i = n, 1, -1 do
    local input = i == 1 and x or outs[i - 1]
    local m, ng = self._modules[i]
    if fused[i + 1] then
      ng = g -- this ReLU ran inside the pool after it
    elseif i == 1 and need_input == false and types[1] == "Conv2d" then
      ng = call(self, i, "backward", input, g, false)
    elseif i > 1 and owned and m.backward_ then
      ng = call(self, i, "backward_", input, g)
    elseif i > 1 and FRESH[types[i]] then
      ng = keep(self, gbufs, i, call(self, i, "backward", input, g, gbufs[i]))
    else
      ng = call(self, i, "backward", input, g)
    end
    if owned and not rawequal(g, ng) and not self._bufset[g] then g:free() end
    if not fused[i + 1] then g, owned = ng, OWNS_RESULT[types[i]] or false end
  end
  return g
end

-- Frees the buffers and the results the last forward kept for backward (a training step
-- does this when it is done, so nothing stays allocated between steps).
function Sequential:clear()
  release(self)
  for _, list in ipairs {self._bufs, self._gbufs} do
    for i, t in pairs(list) do
      t:free()
      list[i] = nil
    end
  end
  self._bufset = setmetatable({}, {__mode = "k"})
  self._shapes = nil -- the next forward measures them again (pruning changes them)
  for _, m in ipairs(self._modules) do
    if m.clear then m:clear() end
  end
  return self
end

function Sequential:parameters()
  local list = {}
  for _, m in ipairs(self._modules) do
    for _, p in ipairs(m:parameters()) do list[#list + 1] = p end
  end
  return list
end

-- {name = "1.weight", tensor = ...} in the order of parameters(); nested containers
-- give "2.1.weight".
function Sequential:named_parameters()
  local list = {}
  for i, m in ipairs(self._modules) do
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

function Sequential:zero_grad()
  for _, m in ipairs(self._modules) do m:zero_grad() end
  return self
end

function Sequential:train()
  self.training = true
  for _, m in ipairs(self._modules) do m:train() end
  return self
end

function Sequential:evaluate()
  self.training = false
  for _, m in ipairs(self._modules) do m:evaluate() end
  return self
end

function Sequential:spec()
  local layers = {}
  for i, m in ipairs(self._modules) do layers[i] = m:spec() end
  return { type = "Sequential", layers = layers }
end

function Sequential:save(path, extra)
  return require("sfew.checkpoint").save_net(self, path, extra)
end

Sequential.__tostring = function(net)
  local lines, count = { "nn.Sequential {" }, 0
  for _, p in ipairs(net:parameters()) do count = count + p:numel() end
  for i, m in ipairs(net._modules) do
    local line = ("  (%d) %s"):format(i, (tostring(m):gsub("\n", "\n  ")))
    local shape = net._shapes and net._shapes[i]
    if shape then -- per sample: without N
      line = line .. " -> " .. table.concat(table.move(shape, 2, #shape, 1, {}), "x")
    end
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

local function build(spec, opts, where)
  if type(spec) ~= "table" then
    error(("bad argument #1 to 'build' (%sspec table expected, got %s)")
      :format(where, type(spec)), 3)
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
    error(("bad argument #1 to 'build' (%sunknown module type '%s')")
      :format(where, tostring(spec.type)), 3)
  end
  local ok, m = pcall(b, spec, opts)
  if not ok then error(("nn.build: %s%s: %s"):format(where, spec.type, m), 3) end
  return m
end

function M.build(spec, opts)
  if opts ~= nil and type(opts) ~= "table" then
    error("bad argument #2 to 'build' (options table expected, got " .. type(opts) .. ")", 2)
  end
  return build(spec, opts or {}, "")
end

M.load = function(path) return require("sfew.checkpoint").load_net(path) end

return M
