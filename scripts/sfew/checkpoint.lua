-- sfew.checkpoint: networks and whole training states in safetensors files, on top of
-- sfew.io. A network file holds its named parameters and its spec (JSON, "sfew.spec"), so
-- load_net rebuilds it with sfew.nn.build; a training checkpoint adds the optimiser state,
-- a generator state and caller data, so an interrupted run resumes exactly.
local json = require "sfew.json"
local sio = require "sfew.io"

local M = {}

-- Binary strings (generator states) as hex text, since metadata values are strings.
function M.hex(s)
  return (s:gsub(".", function(c) return ("%02x"):format(c:byte()) end))
end

function M.unhex(s)
  if #s % 2 == 1 or s:find("[^%x]") then return nil end
  return (s:gsub("%x%x", function(x) return string.char(tonumber(x, 16)) end))
end

local function check_net(net, k, fname)
  if type(net) ~= "table" or type(net.named_parameters) ~= "function" then
    error(("bad argument #%d to '%s' (a network with named_parameters expected, got %s)")
      :format(k, fname, type(net)), 3)
  end
end

-- Adds the network's parameters to tensors under prefix; raises on a repeated name.
local function put_params(net, prefix, tensors)
  for _, np in ipairs(net:named_parameters()) do
    local key = prefix .. np.name
    if tensors[key] then error("checkpoint: parameter name '" .. np.name .. "' repeats", 3) end
    tensors[key] = np.tensor
  end
end

-- Checks that the file's tensors under prefix fit net's parameters: every name must match
-- both ways and every shape must agree. Returns nil or an error message.
local function check_params(net, ts, prefix, path)
  local seen = {}
  for _, np in ipairs(net:named_parameters()) do
    local src = ts[prefix .. np.name]
    if not src then
      return ("checkpoint: '%s' has no tensor '%s' for the network"):format(path, np.name)
    end
    local a, b = table.concat(src:shape(), "x"), table.concat(np.tensor:shape(), "x")
    if a ~= b then
      return ("checkpoint: '%s': tensor '%s' has shape %s, the network's has %s")
        :format(path, np.name, a, b)
    end
    seen[prefix .. np.name] = true
  end
  for name in pairs(ts) do
    if name:sub(1, #prefix) == prefix and not seen[name] then
      return ("checkpoint: '%s' has tensor '%s' that the network lacks")
        :format(path, name:sub(#prefix + 1))
    end
  end
end

local function copy_params(net, ts, prefix)
  for _, np in ipairs(net:named_parameters()) do np.tensor:copy(ts[prefix .. np.name]) end
end

local function spec_json(net)
  if type(net.spec) == "function" then return json.encode(net:spec()) end
end

-- checkpoint.save_net(net, path [, extra]) -> true, or nil, message on file trouble.
-- extra: a JSON-able table (strings, numbers, lists...) stored under "sfew.extra".
function M.save_net(net, path, extra)
  check_net(net, 1, "save_net")
  if type(path) ~= "string" then error("bad argument #2 to 'save_net' (string expected)", 2) end
  local tensors = {}
  put_params(net, "", tensors)
  local meta = {["sfew.kind"] = "net", ["sfew.spec"] = spec_json(net),
    ["sfew.extra"] = json.encode(extra or json.object())}
  return sio.save(path, tensors, meta)
end

local function read(path, opts)
  local ts, meta = sio.load(path, opts)
  if not ts then return nil, meta end
  local extra, err = json.decode(meta["sfew.extra"] or "{}")
  if err then return nil, ("checkpoint: '%s': bad sfew.extra (%s)"):format(path, err) end
  return ts, meta, extra
end

local function build(meta, path)
  if not meta["sfew.spec"] then
    return nil, ("checkpoint: '%s' holds no network spec (sfew.spec)"):format(path)
  end
  local spec, err = json.decode(meta["sfew.spec"])
  if not spec then return nil, ("checkpoint: '%s': bad sfew.spec (%s)"):format(path, err) end
  -- A spec the builder refuses (a negative size, an unknown layer) is a corrupt file,
  -- reported like one, not raised as misuse.
  local ok, net = pcall(require("sfew.nn").build, spec)
  if not ok then
    return nil, ("checkpoint: '%s': bad sfew.spec (%s)"):format(path,
      (tostring(net):gsub("[%w_./-]*%.lua:%d+: ", "")))
  end
  return net
end

-- checkpoint.load_net(path [, io_opts]) -> net, extra; or nil, message when the file is
-- missing or corrupt, or its tensors do not fit the network its spec builds.
function M.load_net(path, opts)
  if type(path) ~= "string" then error("bad argument #1 to 'load_net' (string expected)", 2) end
  local ts, meta, extra = read(path, opts)
  if not ts then return nil, meta end
  local net, err = build(meta, path)
  if not net then return nil, err end
  local prefix = meta["sfew.kind"] == "train" and "net." or ""
  err = check_params(net, ts, prefix, path)
  if err then return nil, err end
  copy_params(net, ts, prefix)
  return net, extra
end

local function check_opts(opts, fname)
  if type(opts) ~= "table" then
    error(("bad argument #2 to '%s' (table expected, got %s)"):format(fname, type(opts)), 3)
  end
  if opts.net ~= nil then check_net(opts.net, 2, fname) end
  local opt = opts.optimizer
  if opt ~= nil and not (pcall(function() return opt.state_dict end)) then
    error(("bad argument #2 to '%s' (optimizer must be an optimiser)"):format(fname), 3)
  end
end

-- checkpoint.save(path, {net = net, optimizer = opt, rng = r, extra = {...}}) -> true, or
-- nil, message. Everything needed to resume: weights, optimiser moments and step counts,
-- the generator state (hex) and extra (JSON: epoch, history, ...).
function M.save(path, opts)
  if type(path) ~= "string" then error("bad argument #1 to 'save' (string expected)", 2) end
  check_opts(opts, "save")
  local tensors = {}
  local meta = {["sfew.kind"] = "train", ["sfew.extra"] = json.encode(opts.extra or json.object())}
  if opts.net then
    put_params(opts.net, "net.", tensors)
    meta["sfew.spec"] = spec_json(opts.net)
  end
  if opts.optimizer then
    local sd = opts.optimizer:state_dict()
    for k, t in pairs(sd.tensors) do tensors["optim." .. k] = t end
    for k, v in pairs(sd.meta) do meta["sfew.optim." .. k] = v end
  end
  if opts.rng then meta["sfew.rng"] = M.hex(opts.rng:state()) end
  return sio.save(path, tensors, meta)
end

local function optim_state(ts, meta)
  local sd = {tensors = {}, meta = {}}
  for k, t in pairs(ts) do
    if k:sub(1, 6) == "optim." then sd.tensors[k:sub(7)] = t end
  end
  for k, v in pairs(meta) do
    if k:sub(1, 11) == "sfew.optim." then sd.meta[k:sub(12)] = v end
  end
  return sd
end

-- checkpoint.load(path, {net = net, optimizer = opt, rng = r}) -> extra, net: restores
-- whatever is given (a missing net is built from the spec). nil, message on file trouble
-- or when the file does not fit what is given.
function M.load(path, opts)
  if type(path) ~= "string" then error("bad argument #1 to 'load' (string expected)", 2) end
  opts = opts or {}
  check_opts(opts, "load")
  local ts, meta, extra = read(path)
  if not ts then return nil, meta end
  local net, err = opts.net, nil
  if not net and meta["sfew.spec"] then net, err = build(meta, path) end
  if err then return nil, err end
  err = net and check_params(net, ts, "net.", path)
  if err then return nil, err end
  local rng_state = opts.rng and meta["sfew.rng"] and M.unhex(meta["sfew.rng"])
  if opts.rng and #(rng_state or "") ~= #opts.rng:state() then
    return nil, ("checkpoint: '%s' holds no generator state"):format(path)
  end
  -- The optimiser checks its whole state before changing anything, so nothing is
  -- half-restored when the file does not fit.
  if opts.optimizer then
    if not meta["sfew.optim.type"] then
      return nil, ("checkpoint: '%s' holds no optimiser state"):format(path)
    end
    local ok, msg = pcall(opts.optimizer.load_state_dict, opts.optimizer, optim_state(ts, meta))
    if not ok then return nil, ("checkpoint: '%s': %s"):format(path, msg) end
  end
  if opts.rng then opts.rng:set_state(rng_state) end
  if net then copy_params(net, ts, "net.") end
  return extra, net
end

return M
