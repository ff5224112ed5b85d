-- Beyond the paper: an ablation that starts from the paper's network and settings (full
-- batch Adam) and adds one thing at a time (M.rows), each row the mean ± sd over --runs
-- runs, each its own split and initialisation (sfew.ablation). Hours with the defaults;
-- --quick a few seconds. Runs made apart (--rows, --first_run) merge with --merge.
local ablation = require "sfew.ablation"
local experiment = require "sfew.experiment"
local sfew = require "sfew"

-- --fashion's own defaults: a recipe that takes the paper's network (with BatchNorm) past
-- 91 % test in 10 epochs. The 4-pixel border makes 36 x 36 inputs, so the classifier sees
-- 4 x 4 positions of conv2 rather than 2 x 2; the layers are the paper's.
local config = { name = "beyond",
  quick = { epochs = 2, paper_epochs = 3, pretrain_epochs = 1, limit = 70, runs = 1 },
  fashion = { epochs = 10, lr = 2e-3, augment = "flip", cosine = true, pad = 4 } }
local spec = experiment.extend(experiment.common{ epochs = 40, runs = 5, lr = 1e-3, batch = 32,
  out = "reports/beyond", crop_help = "\"face\": add the face crop row (needs --data)" }, {
  { "paper_epochs", 700, "full-batch epochs of the paper's row", type = "integer" },
  { "rows", nil, "only these rows, comma-separated (default all)", type = "string" },
  { "pretrain", nil, "image folder to pretrain on (adds the pretraining row)", type = "string" },
  { "pretrain_epochs", 10, "epochs of pretraining", type = "integer" },
  { "first_run", 1, "start at this run (adding to those under --out/runs)", type = "integer" },
  { "merge", false, "only tabulate the runs already under --out/runs" },
  { "fashion", false, "instead: one recipe on Fashion-MNIST (--data: its folder; its own "
    .. "defaults: --epochs 10 --lr 2e-3 --augment flip --cosine --pad 4)" },
  { "augment", nil, "with --fashion: augmentations (flip,shift:N,rotate:D,scale:S,erase or "
    .. "none; default flip)", type = "string", check = ablation.check_augment },
  { "cosine", false, "with --fashion: a cosine learning-rate schedule (default on)" },
  { "pad", 0, "with --fashion: a background border in pixels (default 4: 36 x 36 images)",
    type = "integer" },
})
local M = { config = config, spec = spec }

-- Each row adds its fields to those of the rows above it. The face crop (--crop face)
-- follows the recipe's rows, so that it changes the input alone under the best whole-frame
-- recipe, and precedes pretraining, which then fine-tunes on faces as pretraining sets hold.
M.rows = {
  { name = "paper", label = "paper: (16,32), full batch, Adam", full_batch = true },
  { name = "minibatch", label = "+ shuffled minibatches", full_batch = false },
  { name = "augment", label = "+ flips, shifts, rotations", augment = "flip,shift:4,rotate:10" },
  { name = "batchnorm", label = "+ BatchNorm", batchnorm = true },
  { name = "dropout", label = "+ Dropout 0.5", dropout = 0.5 },
  { name = "adamw", label = "+ AdamW, weight decay 0.05", weight_decay = 0.05 },
  { name = "cosine", label = "+ cosine schedule", cosine = true },
  { name = "crop", label = "+ face crop (--crop face)", crop = true,
    enabled = function(o) return o.crop == "face" end },
  { name = "pretrain", label = "+ pretraining (--pretrain)", pretrain = true,
    enabled = function(o) return o.pretrain ~= nil end },
  { name = "wider", label = "+ wider (24,48)", c1 = 24, c2 = 48 },
}

-- Run r of row i: the same split in every row (of the frames or of their face crops).
local function run_one(o, sets, i, r)
  local s, rng = ablation.settings(M.rows, i, o, { c1 = 16, c2 = 32 }), sfew.rng(o.seed * 1000 + r)
  local train, test = experiment.faces(o, sfew.rng(o.seed * 1000 + r), s.crop and sets.crops
    or sets.frames)
  local net = sfew.models.paper_cnn(s.c1, s.c2, { rng = rng, batchnorm = s.batchnorm,
    dropout = s.dropout, classes = #(s.pretrain and sets.pretrain or train).classes })
  local fit = { x = train.x, y = train.y, epochs = s.full_batch and o.paper_epochs or o.epochs,
    lr = o.lr, batch = o.batch, rng = rng, test = test, classes = #train.classes }
  fit.params = s.pretrain and ablation.pretrain(net, sets.pretrain, s, o.pretrain_epochs, fit)
  local hist = ablation.fit(net, s, fit)
  return ablation.measure(net, train, test, { experiment = config.name, row = M.rows[i].name,
    label = M.rows[i].label, run = r, epochs = fit.epochs, seconds = hist.seconds,
    curve = hist.eval, note = s.crop and sets.crops.crop_note or nil })
end

-- --fashion: the paper's network with BatchNorm and a recipe on Fashion-MNIST.
local function fashion(o)
  local rng = sfew.rng(o.seed)
  local train, test = experiment.fashion(o, rng)
  local side = 28 + 2 * o.pad
  local net = sfew.models.paper_cnn(16, 32, { rng = rng, batchnorm = true, height = side,
    width = side, classes = 10 })
  return ablation.epochs_report(o, ablation.fit(net, { augment = o.augment, cosine = o.cosine },
    { x = train.x, y = train.y, epochs = o.epochs, lr = o.lr, batch = o.batch, rng = rng,
      test = test }), { name = config.name, title = "Fashion-MNIST: BatchNorm and augmentation" })
end

function M.run(opts)
  local o = experiment.options(spec, opts)
  if o.fashion then experiment.apply_defaults(o, config.fashion) end
  experiment.apply_quick(o, config.quick)
  experiment.setup(o)
  if o.fashion then return fashion(o) end
  local sets = {}
  if not o.merge then
    local crops = o.crop and experiment.load_faces(o, true) -- first: it checks --data
    sets.frames = experiment.load_faces(o, false)
    sets.crops = crops and ablation.aligned(crops, sets.frames)
    sets.pretrain = o.pretrain and experiment.load_faces({ data = o.pretrain }, false)
    if sets.pretrain then sets.pretrain:normalize() end
  end
  local records = ablation.collect(M.rows, o, function(i, r) return run_one(o, sets, i, r) end)
  return ablation.report(o, M.rows, records, { name = config.name,
    title = "Beyond the paper: one change at a time" })
end

local doc = require "sfew.doc"
doc.register(M, "experiments.beyond", "Beyond the paper: an ablation from the paper's "
  .. "network and settings, adding one training technique at a time.")
doc.table(M, {
  run = { "require(\"experiments.beyond\").run{epochs = 40, paper_epochs = 700, runs = 5, "
    .. "lr = 1e-3, batch = 32, rows, pretrain, pretrain_epochs = 10, first_run = 1, merge, "
    .. "fashion, augment, cosine, pad, data, crop, detector, seed = 1, threads, "
    .. "out, quick, limit}", "The ablation table and learning curves: {records, rows, markdown}. ",
    "require(\"experiments.beyond\").run{quick = true}" },
  rows = { "experiments.beyond.rows", "The rows in order ({name, label, enabled, ...})." },
  config = { "experiments.beyond.config", "Name and --quick settings." },
  spec = { "experiments.beyond.spec", "The command-line options (sfew.cli spec) of beyond.lua." },
})

return experiment.script(M, spec, "usage: sfewlua experiments/beyond.lua [options]")
