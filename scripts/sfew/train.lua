-- sfew.train: one optimiser step over a whole batch, run chunk by chunk so memory stays
-- bounded by the chunk while the gradients equal those of one big batch; and evaluation.
local M = {}

M.DEFAULT_CHUNK = 128

local argcheck = require "sfew.argcheck"
local crossval = require "sfew.crossval"
local fit = require "sfew.fit"
local optim = require "sfew.optim"
local tensor = require "sfew.tensor"

local function check_args(fname, net, criterion, x, y, opts, first)
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
  if opts ~= nil and type(opts) ~= "table" then bad(first + 2, "options table expected") end
  local chunk = (opts or {}).chunk or M.DEFAULT_CHUNK
  if math.type(chunk) ~= "integer" or chunk < 1 then
    bad(first + 2, "option 'chunk' must be a positive integer")
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

-- One step: opt:zero_grad(), then per chunk forward, loss, backward with the loss
-- gradient scaled by n_chunk / N (the mean over N rows is the chunk means weighted so),
-- then opt:step(). Returns the mean loss over all rows. opts.clip = max_norm clips the
-- gradients' total norm before the step; the parameters of frozen layers (net:freeze)
-- are put back after it, whatever the optimiser did to them. The layers keep their outputs
-- and gradients for the next step (allocating and faulting in ~100 MB again every step
-- costs more than a tenth of the step); {keep = false} frees them, as net:clear() does.
function M.step(net, criterion, opt, x, y, opts)
  if type(opt) ~= "table" and type(opt) ~= "userdata" then
    argcheck.error(3, "step", "optimiser expected")
  end
  local chunk, N = check_args("step", net, criterion, x, y, opts, 4)
  local total = 0
  net:train()
  opt:zero_grad()
  each_chunk(x, y, N, chunk, function(xc, yc, n)
    local out = net:forward(xc)
    total = total + criterion:forward(out, yc) * n
    local g = criterion:backward(out, yc)
    if n ~= N then g:mul_(n / N) end
    net:backward(xc, g, false) -- the data needs no gradient
  end)
  if net.clear and (opts or {}).keep == false then net:clear() end
  if opts and opts.clip then optim.clip_grad_norm(net:parameters(), opts.clip) end
  -- (plain field tests first: a step of an unfrozen net makes no extra C call)
  local frozen = type(net) == "table" and net._frozen and next(net._frozen)
    and net:frozen_parameters()
  local saved = {}
  for i = 1, frozen and #frozen or 0 do saved[i] = frozen[i]:clone() end
  opt:step()
  for i = 1, #saved do frozen[i]:copy(saved[i]) end
  return total / N
end

-- Mean loss and accuracy (fraction of rows whose largest output is the label; nil for
-- criteria without classes, such as MSELoss), chunked, in evaluate mode. Keeps the net's
-- buffers as step does ({keep = false} frees them).
function M.evaluate(net, criterion, x, y, opts)
  local chunk, N = check_args("evaluate", net, criterion, x, y, opts, 3)
  local total, hits = 0, 0
  local was_training = net.training
  net:evaluate()
  each_chunk(x, y, N, chunk, function(xc, yc, n)
    local out = net:forward(xc)
    total = total + criterion:forward(out, yc) * n
    if criterion.correct then hits = hits + criterion:correct(out, yc) end
  end)
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
  argcheck.type(opts, "table", 1, "fit")
  return fit.fit(opts, M)
end

return M
