-- train.fit: epochs of sfew.train.step with a progress display, periodic evaluation, a
-- guard against NaN/Inf (stops naming the epoch and layer, keeping the last good
-- checkpoint), and a history of everything measured. sfew.train owns this module and
-- hands it its step and evaluate, so this module does not require sfew.train.
local argcheck = require "sfew.argcheck"
local checkpoint = require "sfew.checkpoint"
local progress_mod = require "sfew.progress"
local sys = require "sfew.core.sys"

local M = {}

local function named_params(net)
  if net.named_parameters then return net:named_parameters() end
  local out = {}
  for i, p in ipairs(net:parameters()) do out[i] = { name = tostring(i), tensor = p } end
  return out
end

-- The first parameter that is not finite, as "layer 4 (Conv2d) weight".
local function bad_parameter(net)
  for _, np in ipairs(named_params(net)) do
    if not np.tensor:all_finite() then
      local idx, field = np.name:match("^(%d+)%.(.+)$")
      if idx and net[tonumber(idx)] then
        local m = net[tonumber(idx)]
        local kind = m.spec and m:spec().type or tostring(m)
        return ("layer %s (%s) %s"):format(idx, kind, field)
      end
      return "parameter " .. np.name
    end
  end
end

local function shuffled_batches(n, size, rng)
  local perm = rng:permutation(n)
  local out = {}
  for s = 1, n, size do
    local idx = {}
    for k = s, math.min(n, s + size - 1) do idx[#idx + 1] = perm[k] end
    out[#out + 1] = idx
  end
  return out
end

local OPTIONS = argcheck.set { "net", "criterion", "optimizer", "x", "y", "epochs", "batch",
  "chunk", "rng", "eval_every", "eval_initial", "test", "progress", "tty", "label", "on_epoch",
  "checkpoint", "resume" }

local function check_args(o)
  argcheck.options(o, OPTIONS, 1, "train.fit", 2)
  for _, k in ipairs { "net", "criterion", "optimizer", "x", "y" } do
    if o[k] == nil then error("train.fit: option '" .. k .. "' is required", 3) end
  end
  if math.type(o.epochs) ~= "integer" or o.epochs < 0 then
    error("train.fit: option 'epochs' must be a non-negative integer", 3)
  end
  if o.batch ~= nil and (math.type(o.batch) ~= "integer" or o.batch < 1) then
    error(("train.fit: option 'batch' must be a positive integer (rows per step), got %s")
      :format(tostring(o.batch)), 3)
  end
end

-- opts: net, criterion, optimizer, x, y, epochs; optional: batch (rows per step; nil =
-- the whole set in one step, as the paper), chunk (rows per forward pass), rng (for
-- minibatch order), eval_every (epochs between accuracy measurements; default
-- epochs/10), test = {x, y}, progress (true/false/nil = on), label, on_epoch(epoch, rec)
-- (return false to stop), checkpoint = {path, every} (a training checkpoint: the net, the
-- optimiser and generator state, see sfew.checkpoint), resume = path (goes on exactly
-- from such a checkpoint: same net and optimiser kinds, the epochs after its own).
-- Returns the history: {epochs = {...}, loss = {...}, eval = {{epoch, train_loss,
-- train_acc, test_loss, test_acc}, ...}, seconds (all), seconds_per_epoch (training)}.
-- train is sfew.train (its step and evaluate run the epochs).
function M.fit(o, train)
  check_args(o)
  local clock = sys.clock
  local progress = o.progress ~= false and progress_mod.new{
    total = math.max(o.epochs, 1), label = o.label or "train", tty = o.tty } or nil
  local hist = { epochs = {}, loss = {}, eval = {} }
  local every = o.eval_every or math.max(1, o.epochs // 10)
  local n = o.x:size(1)
  local step_opts = { chunk = o.chunk }
  local t0 = clock()
  local train_seconds = 0
  local rng = o.rng or sys.rng(0)
  local where = o.checkpoint and ("; last good checkpoint: " .. o.checkpoint.path) or ""
  local function evaluate(epoch)
    local rec = { epoch = epoch }
    rec.train_loss, rec.train_acc = train.evaluate(o.net, o.criterion, o.x, o.y, step_opts)
    if o.test then
      rec.test_loss, rec.test_acc = train.evaluate(o.net, o.criterion, o.test.x, o.test.y,
        step_opts)
    end
    o.net:train()
    hist.eval[#hist.eval + 1] = rec
    return rec
  end
  local first = 1
  if o.resume then first, hist = checkpoint.resume_fit(o.resume, o, rng) end
  if o.eval_initial ~= false and first == 1 then evaluate(0) end
  for epoch = first, o.epochs do
    local loss
    local ts = clock()
    if o.batch and o.batch < n then
      local sum = 0
      for _, idx in ipairs(shuffled_batches(n, o.batch, rng)) do
        local l = train.step(o.net, o.criterion, o.optimizer, o.x:index(idx), o.y:index(idx),
          step_opts)
        sum = sum + l * #idx
      end
      loss = sum / n
    else
      loss = train.step(o.net, o.criterion, o.optimizer, o.x, o.y, step_opts)
    end
    train_seconds = train_seconds + (clock() - ts)
    if loss ~= loss or loss == math.huge or loss == -math.huge then
      error(("train.fit: training diverged at epoch %d: the loss is %s%s"):format(epoch,
        tostring(loss), where), 2)
    end
    local bad = bad_parameter(o.net)
    if bad then
      error(("train.fit: training diverged at epoch %d: %s holds NaN or Inf%s"):format(epoch,
        bad, where), 2)
    end
    hist.epochs[epoch], hist.loss[epoch] = epoch, loss
    local rec = { epoch = epoch, loss = loss }
    if epoch % every == 0 or epoch == o.epochs then
      local e = evaluate(epoch)
      rec.train_acc, rec.test_acc = e.train_acc, e.test_acc
    end
    if o.checkpoint and (epoch % (o.checkpoint.every or every) == 0 or epoch == o.epochs) then
      assert(checkpoint.save_fit(o.checkpoint.path, o, rng, epoch, hist))
    end
    if progress then -- the latest measured accuracies stay on the line between measurements
      local last = hist.eval[#hist.eval] or {}
      local order = { "loss" }
      if last.train_acc then order[#order + 1] = "acc" end
      if last.test_acc then order[#order + 1] = "test_acc" end
      progress:update(epoch, { _order = order, loss = loss, acc = last.train_acc,
        test_acc = last.test_acc })
    end
    if o.on_epoch and o.on_epoch(epoch, rec) == false then break end
  end
  hist.seconds = clock() - t0
  -- training time only: evaluation passes are not part of an epoch's cost
  hist.seconds_per_epoch = #hist.loss > 0 and train_seconds / #hist.loss or 0
  return hist
end

-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "sfew.fit", "The epoch loop behind train.fit (use train.fit).")
doc.table(M, {
  fit = { "fit.fit(opts, train)",
    "train.fit's loop, given the sfew.train module whose step and evaluate it runs." },
})

return M
