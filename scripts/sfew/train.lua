-- sfew.train: one optimiser step over a whole batch, run chunk by chunk so memory stays
-- bounded by the chunk while the gradients equal those of one big batch; and evaluation.
local M = {}

M.DEFAULT_CHUNK = 128

local argcheck = require "sfew.argcheck"
local crossval = require "sfew.crossval"
local fit = require "sfew.fit"
local fused = require "sfew.fused"
local optim = require "sfew.optim"
local tensor = require "sfew.tensor"

local EVAL_OPTIONS = argcheck.set { "chunk", "keep" }
local STEP_OPTIONS = argcheck.set { "chunk", "keep", "clip" }

local function check_args(fname, net, criterion, x, y, opts, first, allowed)
  local function bad(k, msg) argcheck.error(k, fname, msg, 3) end
  if type(net) ~= "table" and type(net) ~= "userdata" then bad(1, "module expected") end
  if type(criterion) ~= "userdata" and type(criterion) ~= "table" then
    bad(2, "criterion expected")
  end
  if not tensor.is_tensor(x) then bad(first, "tensor expected, got " .. type(x)) end
  if not tensor.is_tensor(y) then bad(first + 1, "tensor expected, got " .. type(y)) end
  local n = x:dim() > 0 and x:size(1) or 0
  if n < 1 then bad(first, "empty batch") end
  local ny = y:dim() > 0 and y:size(1) or 0
  if ny ~= n then bad(first + 1, ("%d targets for %d inputs"):format(ny, n)) end
  argcheck.options(opts, allowed, first + 2, fname, 2)
  local chunk = (opts or {}).chunk
  if chunk ~= nil and (math.type(chunk) ~= "integer" or chunk < 1) then
    bad(first + 2, "option 'chunk' must be a positive integer")
  end
  local clip = (opts or {}).clip
  if clip ~= nil and not (type(clip) == "number" and clip > 0) then
    bad(first + 2, "option 'clip' must be a positive number")
  end
  return chunk, n
end

-- Runs fn(xc, yc, n) over consecutive row chunks of x and y: x and y themselves when
-- one chunk holds them all, else views (collected as garbage; the layers own everything
-- the passes compute, so nothing here needs freeing).
local function each_chunk(x, y, N, chunk, fn)
  if N <= chunk then return fn(x, y, N) end
  for start = 1, N, chunk do
    local n = N - start + 1
    if n > chunk then n = chunk end
    fn(x:narrow(1, start, n), y:narrow(1, start, n), n)
  end
end

-- Re-raises a failure inside a step or an evaluation at the caller's line, naming the
-- public function (fname) rather than a line of this file: a target the criterion
-- refuses is the argument y (argument #ypos), anything else is prefixed with fname.
local function relay(fname, ypos, in_criterion, msg)
  if type(msg) ~= "string" then error(msg, 0) end -- an error object goes on untouched
  msg = msg:gsub("^[^\n]-sfew/[%w_/]+%.lua:%d+: ", "")
  local target = in_criterion and msg:match("^bad argument #2 to '[%w_]+' %((.*)%)$")
  if target then error(("bad argument #%d to '%s' (%s)"):format(ypos, fname, target), 3) end
  error(fname .. ": " .. msg, 3)
end

-- Whether net holds a BatchNorm layer (inside nested containers too).
local function has_batchnorm(net)
  if type(net) == "table" then
    for i = 1, #net do
      if has_batchnorm(net[i]) then return true end
    end
    return false
  end
  local mt = getmetatable(net)
  return type(mt) == "table" and type(mt.__name) == "string"
    and mt.__name:match("^sfew%.BatchNorm") ~= nil
end

-- One step: opt:zero_grad(), then per chunk forward, loss, backward with the loss
-- gradient scaled by n_chunk / N (the mean over N rows is the chunk means weighted so),
-- then opt:step(). Returns the mean loss over all rows. opts.clip = max_norm clips the
-- gradients' total norm before the step; the parameters of frozen layers (net:freeze)
-- are put back after it, whatever the optimiser did to them. The layers keep their outputs
-- and gradients for the next step (allocating and faulting in ~100 MB again every step
-- costs more than a tenth of the step); {keep = false} frees them, as net:clear() does.
function M.step(net, criterion, opt, x, y, opts)
  if type(opt) ~= "table" and type(opt) ~= "userdata" then
    argcheck.error(3, "train.step", "optimiser expected")
  end
  local chunk, N = check_args("train.step", net, criterion, x, y, opts, 4, STEP_OPTIONS)
  -- A BatchNorm layer normalises each forward pass by that pass's statistics (and moves
  -- its running ones once per pass), so a batch cut into chunks would be normalised chunk
  -- by chunk: such a net takes the batch in one pass, as in PyTorch, unless told otherwise.
  -- (Only asked when chunks would be cut: a small step makes no extra call.)
  if not chunk then
    chunk = N > M.DEFAULT_CHUNK and has_batchnorm(net) and N or M.DEFAULT_CHUNK
  end
  -- (plain field tests first: a step of an unfrozen net makes no extra C call)
  local frozen = type(net) == "table" and net._frozen and next(net._frozen)
    and net:frozen_parameters()
  local clip = opts and opts.clip
  if not frozen and not clip then
    local fused_loss = fused.step(net, criterion, opt, x, y)
    if fused_loss then return fused_loss end
  end
  local total, in_criterion = 0, false
  local ok, err = pcall(function()
    net:train()
    opt:zero_grad()
    each_chunk(x, y, N, chunk, function(xc, yc, n)
      local out = net:forward(xc)
      in_criterion = true
      total = total + criterion:forward(out, yc) * n
      local g = criterion:backward(out, yc)
      in_criterion = false
      if n ~= N then g:mul_(n / N) end
      net:backward(xc, g, false) -- the data needs no gradient
    end)
    if net.clear and (opts or {}).keep == false then net:clear() end
    if clip then optim.clip_grad_norm(net:parameters(), clip) end
    local saved = {}
    for i = 1, frozen and #frozen or 0 do saved[i] = frozen[i]:clone() end
    opt:step()
    for i = 1, #saved do frozen[i]:copy(saved[i]) end
  end)
  if not ok then relay("train.step", 5, in_criterion, err) end
  return total / N
end

-- Mean loss and accuracy (fraction of rows whose largest output is the label; nil for
-- criteria without classes, such as MSELoss), chunked, in evaluate mode. Keeps the net's
-- buffers as step does ({keep = false} frees them).
function M.evaluate(net, criterion, x, y, opts)
  local chunk, N = check_args("train.evaluate", net, criterion, x, y, opts, 3, EVAL_OPTIONS)
  chunk = chunk or M.DEFAULT_CHUNK -- evaluate mode: BatchNorm uses its running statistics
  local total, hits, in_criterion = 0, 0, false
  local was_training = net.training
  net:evaluate()
  local ok, err = pcall(each_chunk, x, y, N, chunk, function(xc, yc, n)
    local out = net:forward(xc)
    in_criterion = true
    total = total + criterion:forward(out, yc) * n
    if criterion.correct then hits = hits + criterion:correct(out, yc) end
    in_criterion = false
  end)
  if not ok then
    if was_training then net:train() end
    relay("train.evaluate", 4, in_criterion, err)
  end
  if net.clear and (opts or {}).keep == false then net:clear() end
  if was_training then net:train() end
  return total / N, criterion.correct and hits / N or nil
end

-- train.confusion(net, x, y, classes) -> {counts = counts[true][predicted], per_class =
-- {accuracy by class}, accuracy, classes}; classes is a list of names or a class count.
M.confusion = crossval.confusion

-- train.cross_validate{...}: stratified k-fold cross-validation (sfew/crossval.lua).
function M.cross_validate(opts)
  argcheck.type(opts, "table", 1, "cross_validate")
  return crossval.cross_validate(opts, M)
end

-- train.fit{...}: epochs with progress, evaluation and a NaN guard (sfew/fit.lua).
function M.fit(opts)
  argcheck.type(opts, "table", 1, "train.fit")
  local ok, hist = pcall(fit.fit, opts, M)
  if ok then return hist end
  -- A failure inside the library is reported at the caller's line, naming train.fit; an
  -- error from the caller's own code (on_epoch) keeps its position.
  if type(hist) ~= "string" then error(hist, 0) end
  local msg, n = hist:gsub("^[^\n]-sfew/[%w_/]+%.lua:%d+: ", "")
  if n == 0 and msg:match("^[^\n]-%.lua:%d+: ") then error(msg, 0) end
  if not msg:match("^train%.fit") and not msg:match("^bad argument #%d+ to 'train%.fit'") then
    msg = "train.fit: " .. msg
  end
  error(msg, 2)
end

-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "sfew.train", "Training: one full-batch step (chunked), evaluation, fit.")
doc.table(M, {
  step = { "train.step(net, criterion, opt, x, y [, {chunk = 128, keep = true, clip}])",
    "One optimiser step on the whole batch, run in chunks of rows with gradient "
    .. "accumulation (a net with BatchNorm: the whole batch in one pass unless chunk is "
    .. "given, as its statistics are the batch's); returns the mean loss. ",
    "loss = train.step(net, loss_fn, opt, x, y)" },
  evaluate = { "train.evaluate(net, criterion, x, y [, {chunk = 128, keep = true}])",
    "Mean loss and accuracy (nil for criteria without classes) in evaluation mode, chunked." },
  fit = { "train.fit{net, criterion, optimizer, x, y, epochs, batch, chunk, rng, eval_every, "
    .. "eval_initial = true, test = {x = , y = }, progress = true, label, on_epoch, "
    .. "checkpoint = {path, every}}",
    "Runs epochs of train.step (minibatches of batch rows, else full batch) with a progress "
    .. "bar and periodic evaluation; raises on NaN/Inf; returns the history {epochs, loss, "
    .. "eval, seconds, seconds_per_epoch}. ", "train.fit{net = net, criterion = "
    .. "loss_fn, optimizer = opt, x = x, y = y, epochs = 10}" },
  confusion = { "train.confusion(net, x, y [, classes])",
    "{counts, per_class, accuracy, classes}: counts[t][p] rows of true class t predicted as "
    .. "p, per-class accuracy; classes: names or a count (default: the output width)." },
  cross_validate = { "train.cross_validate{x, y, net = function(fold), optimizer = "
    .. "function(net), criterion, k = 5, rng, fit = {...}, classes, on_fold}",
    "Stratified k-fold cross-validation: a new net per fold; returns {folds, mean, std, "
    .. "train_mean, train_std} of the accuracies." },
  DEFAULT_CHUNK = { "train.DEFAULT_CHUNK", "Rows per forward pass in step and evaluate (128)." },
})

return M
