-- sfew.params: a network's named parameters against a table of named tensors (as a
-- safetensors file holds them): collecting, checking names and shapes both ways, copying;
-- and the names and shapes a network spec implies, so a file is checked before anything
-- of its size is allocated.
local argcheck = require "sfew.argcheck"

local M = {}

-- Raises "bad argument #pos to 'fname' (a network with named_parameters expected ...)"
-- at the caller of the function that calls this one, unless net is such a network.
function M.check_net(net, pos, fname)
  if type(net) ~= "table" or type(net.named_parameters) ~= "function" then
    argcheck.expected(pos, fname, "a network with named_parameters", net, 2)
  end
end

local function shape_text(shape)
  return table.concat(shape, "x")
end

-- {name = "1.weight", shape = "8x3"} for each parameter of net, in its order.
function M.expected(net)
  local list = {}
  for i, np in ipairs(net:named_parameters()) do
    list[i] = { name = np.name, shape = shape_text(np.tensor:shape()) }
  end
  return list
end

local function positive(v)
  return math.type(v) == "integer" and v >= 1
end

-- Parameters of the layers that have them, from their spec fields; nil when a size is
-- not a positive integer (the builder then rejects the spec with its own message).
local spec_params = {
  Linear = function(s)
    if not (positive(s.in_features) and positive(s.out_features)) then return nil end
    return { s.out_features, s.in_features }, { s.out_features }
  end,
  Conv2d = function(s)
    local c, k, size = s.in_channels, s.out_channels, s.kernel
    if not (positive(c) and positive(k) and positive(size)) then return nil end
    return { k, c, size, size }, { k }
  end,
}
-- BatchNorm: weight and bias (with affine), then the running statistics, all (C).
for _, name in ipairs { "BatchNorm2d", "BatchNorm1d" } do
  spec_params[name] = function(s)
    local c = s.num_features
    if not positive(c) then return nil end
    return { c }, { c }, { { "running_mean", { c } }, { "running_var", { c } } },
      s.affine == false
  end
end

-- The list M.expected would give for the network nn.build makes of spec, or nil when
-- the spec does not say (an unknown layer type, a bad size).
-- Layer types that nn.register added: their parameters are known only once built.
M.registered = {}

function M.from_spec(spec, prefix, list)
  list, prefix = list or {}, prefix or ""
  if type(spec) ~= "table" then return nil end
  if spec.type == "Sequential" then
    if type(spec.layers) ~= "table" then return nil end
    for i, s in ipairs(spec.layers) do
      if not M.from_spec(s, prefix .. i .. ".", list) then return nil end
    end
    return list
  end
  if M.registered[spec.type] then return nil end
  local params = spec_params[spec.type]
  if not params then return list end
  local w, b, buffers, no_params = params(spec)
  if not w then return nil end
  if not no_params then
    list[#list + 1] = { name = prefix .. "weight", shape = shape_text(w) }
    if spec.bias ~= false then
      list[#list + 1] = { name = prefix .. "bias", shape = shape_text(b) }
    end
  end
  for _, nb in ipairs(buffers or {}) do
    list[#list + 1] = { name = prefix .. nb[1], shape = shape_text(nb[2]) }
  end
  return list
end

-- PyTorch numbers the modules of nn.Sequential from 0, sfew from 1 (net[1]); both count
-- the layers without parameters. torch_name("3.1.bias") == "2.0.bias", sfew_name back;
-- nil when a numeric part is out of range (0 in an sfew name).
function M.torch_name(name)
  local ok = true
  local out = name:gsub("[^.]+", function(part)
    local n = part:match("^%d+$") and tonumber(part)
    if not n then return nil end
    if n < 1 then ok = false end
    return tostring(n - 1)
  end)
  return ok and out or nil
end

function M.sfew_name(name)
  return (name:gsub("[^.]+", function(part)
    local n = part:match("^%d+$") and tonumber(part)
    return n and tostring(n + 1) or nil
  end))
end

-- True when the names of ts under prefix look 0-based (some numeric part is 0), as
-- PyTorch writes them.
function M.zero_based(ts, prefix)
  for name in pairs(ts) do
    if name:sub(1, #prefix) == prefix then
      local rest = "." .. name:sub(#prefix + 1) .. "."
      if rest:find("%.0%.") then return true end
    end
  end
  return false
end

-- ts with its names in sfew's numbering when meta says the file was written with
-- PyTorch's (io.save with names = "torch"); ts itself otherwise.
function M.from_torch_names(ts, meta)
  if meta["sfew.names"] ~= "torch" then return ts end
  local out = {}
  for name, t in pairs(ts) do out[M.sfew_name(name)] = t end
  return out
end

-- Adds net's parameters to tensors under prefix. Returns nil or a message when a name
-- repeats.
function M.put(net, prefix, tensors)
  for _, np in ipairs(net:named_parameters()) do
    local key = prefix .. np.name
    if tensors[key] then return ("checkpoint: parameter name '%s' repeats"):format(np.name) end
    tensors[key] = np.tensor
  end
end

-- Checks that the tensors of ts under prefix are exactly those of list (from M.expected
-- or M.from_spec): every name both ways, every shape. Returns nil or a message. Names
-- with a 0 part (PyTorch's) are refused unless torch_names: a 1-based reader would
-- otherwise take "1.weight" of a PyTorch file for the wrong layer.
function M.check(list, ts, prefix, path, torch_names)
  if not torch_names and M.zero_based(ts, prefix) then
    return ("checkpoint: '%s' names its tensors 0-based, as PyTorch does (0.weight): "
      .. "read it with nn.from_torch"):format(path)
  end
  local seen = {}
  for _, p in ipairs(list) do
    local src = ts[prefix .. p.name]
    if not src then
      return ("checkpoint: '%s' has no tensor '%s' for the network"):format(path, p.name)
    end
    local have = shape_text(src:shape())
    if have ~= p.shape then
      return ("checkpoint: '%s': tensor '%s' has shape %s, the network's has %s")
        :format(path, p.name, have, p.shape)
    end
    seen[prefix .. p.name] = true
  end
  for name in pairs(ts) do
    if name:sub(1, #prefix) == prefix and not seen[name] then
      return ("checkpoint: '%s' has tensor '%s' that the network lacks")
        :format(path, name:sub(#prefix + 1))
    end
  end
end

-- Copies the tensors of ts under prefix into net's parameters (after M.check).
function M.copy(net, ts, prefix)
  for _, np in ipairs(net:named_parameters()) do np.tensor:copy(ts[prefix .. np.name]) end
end

return M
