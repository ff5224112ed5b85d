-- sfew.checkpoint (also sfew.checkpoint): whole training states in safetensors files, on
-- top of sfew.nn's network files: the network's parameters and spec, the optimiser
-- state, a generator state and caller data, so an interrupted run resumes exactly.
-- train.fit writes one with {checkpoint = {path, every}} and resumes from it with
-- {resume = path}; nn.load reads its network.
local argcheck = require "sfew.argcheck"
local json = require "sfew.json"
local nn = require "sfew.nn"
local params = require "sfew.params"
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

-- checkpoint.save_net(net, path [, extra]) and checkpoint.load_net(path [, io_opts]):
-- net:save and nn.load under the names this module has always had.
function M.save_net(net, path, extra)
  params.check_net(net, 1, "save_net")
  argcheck.type(path, "string", 2, "save_net")
  return nn.save(net, path, { extra = extra })
end

function M.load_net(path, opts)
  argcheck.type(path, "string", 1, "load_net")
  return nn.load(path, opts)
end

local CHECKPOINT_OPTIONS = argcheck.set { "net", "optimizer", "rng", "extra" }

local function check_opts(opts, fname)
  argcheck.type(opts, "table", 2, fname, false, 2)
  argcheck.options(opts, CHECKPOINT_OPTIONS, 2, fname, 2)
  if opts.net ~= nil then params.check_net(opts.net, 2, fname) end
  local opt = opts.optimizer
  if opt ~= nil and not (pcall(function() return opt.state_dict end)) then
    argcheck.error(2, fname, "optimizer must be an optimiser", 2)
  end
end

-- checkpoint.save(path, {net = net, optimizer = opt, rng = r, extra = {...}}) -> true, or
-- nil, message. Everything needed to resume: weights, optimiser moments and step counts,
-- the generator state (hex) and extra (JSON: epoch, history, ...).
function M.save(path, opts)
  argcheck.type(path, "string", 1, "save")
  check_opts(opts, "save")
  local tensors = {}
  local meta = {["sfew.kind"] = "train", ["sfew.extra"] = json.encode(opts.extra or json.object())}
  if opts.net then
    local err = params.put(opts.net, "net.", tensors)
    if err then error(err, 2) end
    if type(opts.net.spec) == "function" then meta["sfew.spec"] = json.encode(opts.net:spec()) end
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
  argcheck.type(path, "string", 1, "load")
  opts = opts or {}
  check_opts(opts, "load")
  local ts, meta = sio.load(path)
  if not ts then return nil, meta end
  ts = params.from_torch_names(ts, meta)
  local extra, err = json.decode(meta["sfew.extra"] or "{}")
  if err then return nil, ("checkpoint: '%s': bad sfew.extra (%s)"):format(path, err) end
  local net = opts.net
  if net then
    err = params.check(params.expected(net), ts, "net.", path)
  elseif meta["sfew.spec"] then
    net, err = nn.from_file(ts, meta, "net.", path)
  end
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
  if opts.net then params.copy(net, ts, "net.") end
  return extra, net
end

-- ---- train.fit's checkpoints --------------------------------------------------------

-- Writes what train.fit needs to go on after epoch: o.net, o.optimizer, the generator
-- that orders its minibatches, the epoch and the history so far. true, or nil, message.
function M.save_fit(path, o, rng, epoch, hist)
  return M.save(path, { net = o.net, optimizer = o.optimizer, rng = rng,
    extra = { epoch = epoch, history = { epochs = hist.epochs, loss = hist.loss,
      eval = hist.eval } } })
end

-- Restores o.net, o.optimizer and rng from a file save_fit wrote; returns the epoch to
-- go on from and the history so far. Raises "train.fit: cannot resume ..." when the file
-- is missing or does not fit the network and optimiser given.
function M.resume_fit(path, o, rng)
  if type(path) ~= "string" then
    error("train.fit: option 'resume' must be a checkpoint path, got " .. type(path), 0)
  end
  local extra, err = M.load(path, { net = o.net, optimizer = o.optimizer, rng = rng })
  if not extra then error(("train.fit: cannot resume from '%s': %s"):format(path, err), 0) end
  if math.type(extra.epoch) ~= "integer" or type(extra.history) ~= "table" then
    error(("train.fit: cannot resume from '%s': it was not written by train.fit "
      .. "(no epoch and history)"):format(path), 0)
  end
  local h = extra.history
  local hist = { epochs = h.epochs or {}, loss = h.loss or {}, eval = h.eval or {} }
  return extra.epoch + 1, hist
end
-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "sfew.checkpoint",
  "Training checkpoints: net, optimiser state, generator state and extra in one file.")
doc.table(M, {
  save = { "checkpoint.save(path, {net, optimizer, rng, extra})",
    "Writes what is given (weights and spec, optimiser moments, generator state, JSON-able "
    .. "extra); true, or nil, message." },
  load = { "checkpoint.load(path [, {net, optimizer, rng}])",
    "Restores what is given from the file (a missing net is built from its spec); returns "
    .. "extra, net; or nil, message." },
  save_net = { "checkpoint.save_net(net, path [, extra])",
    "Same as nn.save(net, path, {extra = extra})." },
  load_net = { "checkpoint.load_net(path [, {max_bytes}])", "Same as nn.load(path)." },
  save_fit = { "checkpoint.save_fit(path, o, rng, epoch, hist)",
    "Writes what train.fit needs to go on after epoch (net, optimiser, generator, history)." },
  resume_fit = { "checkpoint.resume_fit(path, o, rng)",
    "Restores o.net, o.optimizer and rng from save_fit's file; returns the epoch and history." },
  hex = { "checkpoint.hex(s)", "A binary string as hexadecimal text." },
  unhex = { "checkpoint.unhex(s)", "The binary string of hex text s, or nil when not hex." },
})

return M
