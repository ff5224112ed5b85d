-- sfew.crossval: the confusion matrix with per-class accuracy, and stratified k-fold
-- cross-validation; re-exported by sfew.train as train.confusion and
-- train.cross_validate (which hands this module its fit, so it does not require
-- sfew.train).
local argcheck = require "sfew.argcheck"
local nn = require "sfew.nn"
local sys = require "sfew.core.sys"
local tensor = require "sfew.tensor"

local M = {}

local CHUNK = 256

-- train.confusion(net, x, y [, classes]) -> {counts, per_class, accuracy, classes}:
-- counts[t][p] rows of true class t predicted as p; per_class[t] = counts[t][t] / (rows of
-- class t), NaN for a class without rows; classes: a list of names or a class count
-- (default: the net's output width). Runs in evaluation mode, chunk by chunk.
function M.confusion(net, x, y, classes)
  argcheck.check(tensor.is_tensor(x) and x:dim() > 0 and x:size(1) > 0, 2, "confusion",
    "non-empty tensor expected")
  argcheck.check(tensor.is_tensor(y) and y:numel() == x:size(1), 3, "confusion",
    "tensor of one class number per row expected")
  local was_training = net.training
  net:evaluate()
  local N, pred = x:size(1), {}
  for start = 1, N, CHUNK do
    local n = math.min(CHUNK, N - start + 1)
    local out = net:forward(n == N and x or x:narrow(1, start, n))
    for i, p in ipairs(out:argmax(2):flat()) do pred[start + i - 1] = p end
    if classes == nil then classes = out:size(2) end
  end
  if was_training then net:train() end
  local k = type(classes) == "table" and #classes or classes
  argcheck.check(math.type(k) == "integer" and k >= 1, 4, "confusion",
    "list of class names or class count expected")
  local counts, per_class, hits = {}, {}, 0
  for t = 1, k do
    counts[t] = {}
    for p = 1, k do counts[t][p] = 0 end
  end
  for i, t in ipairs(y:flat()) do
    local p = pred[i]
    argcheck.check(math.type(t) == "integer" or t == math.floor(t), 3, "confusion",
      "class numbers expected")
    t = math.tointeger(t)
    argcheck.check(t >= 1 and t <= k and p <= k, 3, "confusion",
      ("row %d: class %d or prediction %d outside 1..%d"):format(i, t, p, k))
    counts[t][p] = counts[t][p] + 1
    if t == p then hits = hits + 1 end
  end
  for t = 1, k do
    local total = 0
    for p = 1, k do total = total + counts[t][p] end
    per_class[t] = counts[t][t] / total
  end
  return { counts = counts, per_class = per_class, accuracy = hits / N,
    classes = type(classes) == "table" and classes or nil }
end

-- Stratified fold numbers: each class's rows shuffled and dealt in turn, continuing the
-- deal from class to class, so every fold gets within one row of its share of each class
-- and of the whole.
function M.stratified_folds(y, k, rng)
  local by_class, order = {}, {}
  for i, c in ipairs(y:flat()) do
    if not by_class[c] then by_class[c] = {}; order[#order + 1] = c end
    table.insert(by_class[c], i)
  end
  table.sort(order)
  local fold, deal = {}, 0
  for _, c in ipairs(order) do
    local rows = by_class[c]
    for _, j in ipairs(rng:permutation(#rows)) do
      fold[rows[j]] = deal % k + 1
      deal = deal + 1
    end
  end
  return fold
end

local function mean_std(list)
  local n, sum, sq = #list, 0, 0
  for _, v in ipairs(list) do sum = sum + v end
  local mean = sum / n
  for _, v in ipairs(list) do sq = sq + (v - mean) ^ 2 end
  return mean, n > 1 and math.sqrt(sq / (n - 1)) or 0
end
M.mean_std = mean_std

local allowed = argcheck.set { "x", "y", "k", "rng", "net", "optimizer", "criterion", "fit",
  "classes", "on_fold" }

-- train.cross_validate{x, y, net = function(fold) -> a new net, optimizer = function(net)
-- -> optimiser, criterion (default CrossEntropyLoss), k = 5, rng, fit = {epochs, batch,
-- augment, ...: train.fit options}, classes, on_fold(fold, record)}: trains a new net on
-- each k-1 folds and tests it on the fold left out. Returns {folds = {{fold, train_acc,
-- test_acc, test_loss, confusion, history}, ...}, mean, std (of test accuracy; std with
-- k - 1), train_mean, train_std}.
function M.cross_validate(o, train)
  argcheck.options(o, allowed, 1, "cross_validate", 2)
  argcheck.check(tensor.is_tensor(o.x) and tensor.is_tensor(o.y), 1, "cross_validate",
    "options 'x' and 'y' must be tensors", 2)
  argcheck.check(type(o.net) == "function" and type(o.optimizer) == "function", 1,
    "cross_validate", "options 'net' and 'optimizer' must be functions", 2)
  local k = o.k or 5
  argcheck.check(math.type(k) == "integer" and k >= 2 and k <= o.x:size(1), 1,
    "cross_validate", "option 'k' must be an integer in 2..rows", 2)
  local rng = o.rng or sys.rng(0)
  local criterion = o.criterion or nn.CrossEntropyLoss()
  local fold = M.stratified_folds(o.y, k, rng)
  local res, tests, trains = { folds = {} }, {}, {}
  for f = 1, k do
    local tr, te = {}, {}
    for i = 1, #fold do table.insert(fold[i] == f and te or tr, i) end
    local net = o.net(f)
    local opts = { net = net, criterion = criterion, optimizer = o.optimizer(net),
      x = o.x:index(tr), y = o.y:index(tr), rng = rng, progress = false }
    for key, v in pairs(o.fit or {}) do opts[key] = v end
    local hist = train.fit(opts)
    local xt, yt = o.x:index(te), o.y:index(te)
    local rec = { fold = f, history = hist }
    rec.test_loss, rec.test_acc = train.evaluate(net, criterion, xt, yt)
    local _, train_acc = train.evaluate(net, criterion, opts.x, opts.y)
    rec.train_acc = train_acc
    rec.confusion = M.confusion(net, xt, yt, o.classes)
    res.folds[f], tests[f], trains[f] = rec, rec.test_acc, rec.train_acc
    if o.on_fold then o.on_fold(f, rec) end
  end
  res.mean, res.std = mean_std(tests)
  res.train_mean, res.train_std = mean_std(trains)
  return res
end

return M
