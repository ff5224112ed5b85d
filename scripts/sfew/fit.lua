-- train.fit: epochs of sfew.train.step with a progress display, periodic evaluation, a
-- guard against NaN/Inf (stops naming the epoch and layer, keeping the last good
-- checkpoint), and a history of everything measured. sfew.train owns this module and
-- hands it its step and evaluate, so this module does not require sfew.train.
local argcheck = require "sfew.argcheck"
local checkpoint = require "sfew.checkpoint"
local crossval = require "sfew.crossval"
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
  "checkpoint", "resume", "validation", "patience", "keep_best", "best_path", "clip",
  "schedule", "augment" }

-- A copy of every named tensor of net (parameters and BatchNorm statistics), to go back
-- to the best epoch.
local function snapshot(net)
  local out = {}
  for i, np in ipairs(named_params(net)) do out[i] = np.tensor:clone() end
  return out
end

local function restore(net, saved)
  for i, np in ipairs(named_params(net)) do np.tensor:copy(saved[i]) end
end

-- The validation set: o.validation = {x, y}, or o.validation = fraction of the training
-- rows held out (stratified by class); then o.x, o.y are the rest.
local function split_validation(o, rng)
  local v = o.validation
  if v == nil or type(v) == "table" then return o.x, o.y, v end
  if type(v) ~= "number" or v <= 0 or v >= 1 then
    error("train.fit: option 'validation' must be {x = , y = } or a fraction in (0, 1)", 3)
  end
  local fold = crossval.stratified_folds(o.y, math.max(2,
    math.floor(1 / v + 0.5)), rng)
  local tr, va = {}, {}
  for i = 1, #fold do table.insert(fold[i] == 1 and va or tr, i) end
  return o.x:index(tr), o.y:index(tr), { x = o.x:index(va), y = o.y:index(va) }
end

local function check_args(o)
  argcheck.options(o, OPTIONS, 1, "train.fit", 2)
  for _, k in ipairs { "net", "criterion", "optimizer", "x", "y" } do
    if o[k] == nil then error("train.fit: option '" .. k .. "' is required", 3) end
  end
  if o.patience ~= nil and (math.type(o.patience) ~= "integer" or o.patience < 1) then
    error("train.fit: option 'patience' must be a positive integer (evaluations)", 3)
  end
  if o.clip ~= nil and (type(o.clip) ~= "number" or o.clip <= 0) then
    error("train.fit: option 'clip' must be a positive number (the largest gradient norm)", 3)
  end
  if o.augment ~= nil and (type(o.augment) ~= "table" or type(o.augment.apply) ~= "function") then
    error("train.fit: option 'augment' must be a data.augment{...}", 3)
  end
  if o.schedule ~= nil and (type(o.schedule) ~= "table" or type(o.schedule.step) ~= "function")
  then
    error("train.fit: option 'schedule' must be a learning-rate schedule (optim.StepLR, ...)", 3)
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
-- the whole set in one step, as the paper), chunk (rows per forward pass; a net with
-- BatchNorm takes each batch in one pass unless chunk is given: train.step), rng (for
-- minibatch order), eval_every (epochs between accuracy measurements; default
-- epochs/10), test = {x, y}, progress (true/false/nil = on), label, on_epoch(epoch, rec)
-- (return false to stop), checkpoint = {path, every} (a training checkpoint: the net, the
-- optimiser and generator state, see sfew.checkpoint), resume = path (goes on exactly
-- from such a checkpoint: same net and optimiser kinds, the epochs after its own);
-- augment = data.augment{...} (applied to each minibatch, drawing from rng); clip = max
-- gradient norm; schedule = an optim schedule, stepped after every epoch
-- (ReduceLROnPlateau gets the validation loss, or the training loss without validation);
-- validation = {x, y} or a fraction of the training rows held out (stratified), measured
-- at every evaluation (eval_every defaults to 1 then); patience = evaluations without a
-- better validation accuracy before stopping early; keep_best (default true with
-- validation): end with the weights of the best validation accuracy, also saved to
-- best_path when given.
-- Returns the history: {epochs = {...}, loss = {...}, eval = {{epoch, train_loss,
-- train_acc, test_loss, test_acc, val_loss, val_acc}, ...}, seconds (all),
-- seconds_per_epoch (training), best_epoch, best_val_acc, stopped_early}.
-- train is sfew.train (its step and evaluate run the epochs).
function M.fit(o, train)
  check_args(o)
  local clock = sys.clock
  local progress = o.progress ~= false and progress_mod.new{
    total = math.max(o.epochs, 1), label = o.label or "train", tty = o.tty } or nil
  local hist = { epochs = {}, loss = {}, eval = {} }
  local rng = o.rng or sys.rng(0)
  local x, y, val = split_validation(o, rng)
  local every = o.eval_every or (val and 1) or math.max(1, o.epochs // 10)
  local n = x:size(1)
  local step_opts = { chunk = o.chunk, clip = o.clip } -- (train.step: BatchNorm, one pass)
  local t0 = clock()
  local train_seconds = 0
  local keep_best = val and o.keep_best ~= false
  local best, since_best
  local where = o.checkpoint and ("; last good checkpoint: " .. o.checkpoint.path) or ""
  local function evaluate(epoch)
    local rec = { epoch = epoch }
    local eval_opts = { chunk = o.chunk }
    rec.train_loss, rec.train_acc = train.evaluate(o.net, o.criterion, x, y, eval_opts)
    if o.test then
      rec.test_loss, rec.test_acc = train.evaluate(o.net, o.criterion, o.test.x, o.test.y,
        eval_opts)
    end
    if val then
      rec.val_loss, rec.val_acc = train.evaluate(o.net, o.criterion, val.x, val.y, eval_opts)
      local score = rec.val_acc or -rec.val_loss
      if not hist.best_val_acc or score > hist.best_val_acc then
        hist.best_val_acc, hist.best_epoch, since_best = score, epoch, 0
        if keep_best then best = snapshot(o.net) end
        if o.best_path then assert(o.net:save(o.best_path, { epoch = epoch })) end
      else
        since_best = since_best + 1
      end
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
        local xb = x:index(idx)
        if o.augment then xb = o.augment:apply(xb, rng) end
        local l = train.step(o.net, o.criterion, o.optimizer, xb, y:index(idx), step_opts)
        sum = sum + l * #idx
      end
      loss = sum / n
    else
      loss = train.step(o.net, o.criterion, o.optimizer,
        o.augment and o.augment:apply(x, rng) or x, y, step_opts)
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
      rec.train_acc, rec.test_acc, rec.val_acc = e.train_acc, e.test_acc, e.val_acc
    end
    if o.schedule then
      local last = hist.eval[#hist.eval]
      o.schedule:step(last and last.epoch == epoch and last.val_loss or loss)
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
    if o.patience and since_best and since_best >= o.patience then
      hist.stopped_early = epoch
      break
    end
  end
  if best then restore(o.net, best) end
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
