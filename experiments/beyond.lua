-- Beyond the paper: an ablation that starts from the paper's network and settings (full
-- batch Adam, no regularisation) and adds one thing at a time: shuffled minibatches,
-- augmentation, BatchNorm, Dropout, weight decay (AdamW), a cosine schedule, pretraining
-- on another image folder (--pretrain DIR) and a wider network. Each row is the mean and
-- spread of test accuracy over --runs runs (each its own split and initialisation), with
-- train accuracy, time, parameter count and inference time; learning curves go to
-- curves.png. Runs are independent: --rows picks rows, --merge tabulates all runs on disk.
local experiment = require "sfew.experiment"
local plot = require "sfew.plot"
local report = require "sfew.report"

local config = {
  name = "beyond",
  quick = { epochs = 2, paper_epochs = 3, pretrain_epochs = 1, limit = 70, runs = 1 },
}
local spec = experiment.extend(experiment.common{ epochs = 40, runs = 5, lr = 1e-3, batch = 32,
  out = "reports/beyond" }, {
  { "paper_epochs", 700, "full-batch epochs of the paper's row", type = "integer" },
  { "rows", nil, "only these rows, comma-separated (default all)", type = "string" },
  { "pretrain", nil, "image folder to pretrain on (adds the pretraining row)", type = "string" },
  { "pretrain_epochs", 10, "epochs of pretraining", type = "integer" },
  { "first_run", 1, "start at this run (to add runs to those under --out/runs)",
    type = "integer" },
  { "merge", false, "only tabulate the runs already under --out/runs" },
  { "fashion", false, "instead: the paper's network with BatchNorm and augmentation on "
    .. "Fashion-MNIST (--data: its folder)" },
  { "augment", "flip,shift:2", "with --fashion: augmentations, comma-separated (flip, "
    .. "shift:N, rotate:D, erase; none)", type = "string" },
  { "cosine", false, "with --fashion: a cosine learning-rate schedule" },
})
local M = { config = config, spec = spec }

-- Each row adds its fields to those of the rows above it.
M.rows = {
  { name = "paper", label = "paper: (16,32), full batch, Adam", full_batch = true },
  { name = "minibatch", label = "+ shuffled minibatches", full_batch = false },
  { name = "augment", label = "+ flips, shifts, rotations", augment = true },
  { name = "batchnorm", label = "+ BatchNorm", batchnorm = true },
  { name = "dropout", label = "+ Dropout 0.5", dropout = 0.5 },
  { name = "adamw", label = "+ AdamW, weight decay 0.05", weight_decay = 0.05 },
  { name = "cosine", label = "+ cosine schedule", cosine = true },
  { name = "pretrain", label = "+ pretraining (--pretrain)", pretrain = true },
  { name = "wider", label = "+ wider (24,48)", c1 = 24, c2 = 48 },
}

local columns = {
  { "label", "Setting" }, { "runs", "Runs" }, { "test_acc", "Test acc" },
  { "train_acc", "Train acc" }, { "seconds", "Train s" }, { "params", "Parameters" },
  { "infer_ms", "Inference ms/image" },
}

-- Whether row def runs: the pretraining row only with --pretrain.
local function enabled(o, def)
  return def.name ~= "pretrain" or o.pretrain ~= nil
end

-- The settings of row i: the fields of the enabled rows 1..i.
local function settings(o, i)
  local s = { c1 = 16, c2 = 32 }
  for k = 1, i do
    if enabled(o, M.rows[k]) then
      for key, v in pairs(M.rows[k]) do s[key] = v end
    end
  end
  return s
end

local function make_net(s, rng, classes)
  local sfew = require "sfew"
  return sfew.models.paper_cnn(s.c1, s.c2, { rng = rng, batchnorm = s.batchnorm,
    dropout = s.dropout, classes = classes })
end

-- Trains net on (x, y) with the row's recipe (s.augment: the list of augmentations, or
-- true for the faces' default); returns fit's history.
local function fit(o, s, net, x, y, epochs, rng, test, params)
  local sfew = require "sfew"
  local optim, data = sfew.optim, sfew.data
  local opt = s.weight_decay and optim.AdamW(params or net:parameters(),
    { lr = o.lr, weight_decay = s.weight_decay }) or optim.Adam(params or net:parameters(),
    { lr = o.lr })
  return sfew.train.fit { net = net, criterion = sfew.nn.CrossEntropyLoss(), optimizer = opt,
    x = x, y = y, epochs = epochs, batch = not s.full_batch and o.batch or nil, rng = rng,
    test = test, eval_every = math.max(1, epochs // 20), progress = false,
    augment = s.augment and data.augment(s.augment ~= true and s.augment
      or { data.flip(), data.shift(4), data.rotate(10) }) or nil,
    schedule = s.cosine and optim.CosineAnnealingLR(opt, { T_max = epochs }) or nil }
end

-- Pretrains the features on o.pretrain, then gives the net a new classifier for k classes
-- and two parameter groups: the features at a tenth of the rate.
local function pretrained(o, s, rng, k)
  local sfew = require "sfew"
  local ds = assert(sfew.data.image_folder(o.pretrain, { width = 90, height = 72, gray = true }))
  ds:normalize()
  local net = make_net(s, rng, #ds.classes)
  fit(o, s, net, ds.x, ds.y, o.pretrain_epochs, rng)
  local last = #net
  net:replace(last, sfew.nn.Linear(net[last].weight:size(2), k, { rng = rng }))
  local features = {}
  for i = 1, last - 1 do
    for _, p in ipairs(net[i]:parameters()) do features[#features + 1] = p end
  end
  return net, { { params = features, lr = o.lr / 10 }, { params = net[last]:parameters() } }
end

-- The data set (loaded once) shuffled, cut to --limit and split 80/20 for one run, both
-- parts normalised with the training part's statistics, as experiment.faces does.
local function faces(o, rng)
  local data = require "sfew.data"
  M.dataset = M.dataset or assert(o.data and data.image_folder(o.data, { width = 90,
    height = 72, gray = true }) or data.load_default())
  local ds = M.dataset:subset(rng:permutation(#M.dataset))
  if o.limit and o.limit < #ds then
    local keep = {}
    for k = 1, o.limit do keep[k] = k end
    ds = ds:subset(keep)
  end
  local train, test = ds:split(0.8, rng)
  test:normalize(train:normalize())
  return train, test
end

local function run_one(o, i, r)
  local sfew = require "sfew"
  local s = settings(o, i)
  local rng = sfew.rng(o.seed * 1000 + r)
  local train, test = faces(o, sfew.rng(o.seed * 1000 + r))
  local net, params
  if s.pretrain then net, params = pretrained(o, s, rng, #train.classes)
  else net = make_net(s, rng, #train.classes) end
  local epochs = s.full_batch and o.paper_epochs or o.epochs
  local t0 = sfew.clock()
  local hist = fit(o, s, net, train.x, train.y, epochs, rng, test, params)
  local rec = { experiment = config.name, row = M.rows[i].name, label = M.rows[i].label, run = r,
    epochs = epochs, seconds = sfew.clock() - t0, curve = hist.eval }
  local crit = sfew.nn.CrossEntropyLoss()
  rec.train_loss, rec.train_acc = sfew.train.evaluate(net, crit, train.x, train.y)
  rec.test_loss, rec.test_acc = sfew.train.evaluate(net, crit, test.x, test.y)
  rec.params = 0
  for _, p in ipairs(net:parameters()) do rec.params = rec.params + p:numel() end
  net:evaluate()
  local times = {}
  for k = 1, 3 do
    local t1 = sfew.clock()
    net:forward(test.x)
    times[k] = sfew.clock() - t1
  end
  table.sort(times)
  rec.infer_ms = times[2] / test.x:size(1) * 1000 -- the median of three passes
  rec.confusion = sfew.train.confusion(net, test.x, test.y, test.classes).counts
  return rec
end

-- One row per setting: mean ± sd over the runs.
function M.tabulate(records)
  local by, rows = {}, {}
  for _, r in ipairs(records) do by[r.row] = by[r.row] or {}; table.insert(by[r.row], r) end
  for _, def in ipairs(M.rows) do
    local recs = by[def.name]
    if recs then
      local row = { row = def.name, label = def.label, runs = #recs }
      for _, f in ipairs { "test_acc", "train_acc", "seconds", "params", "infer_ms" } do
        local xs = {}
        for k, r in ipairs(recs) do xs[k] = r[f] end
        local m, sd = report.mean_std(xs)
        row[f .. "_mean"] = m
        local fmt = (f == "params" and "%d") or (f:match("acc") and "%.4f") or "%.2f"
        row[f] = (#xs > 1 and f ~= "params") and (fmt .. " ± " .. fmt):format(m, sd)
          or fmt:format(f == "params" and math.floor(m) or m)
      end
      rows[#rows + 1] = row
    end
  end
  return rows, by
end

-- Mean train and test accuracy by epoch over each row's runs, as plot series.
local function curves(by)
  local series = {}
  for _, def in ipairs(M.rows) do
    for _, what in ipairs(by[def.name] and { "test_acc", "train_acc" } or {}) do
      local sum, n = {}, {}
      for _, r in ipairs(by[def.name]) do
        for _, e in ipairs(r.curve or {}) do
          sum[e.epoch] = (sum[e.epoch] or 0) + (e[what] or 0)
          n[e.epoch] = (n[e.epoch] or 0) + 1
        end
      end
      local xs = {}
      for epoch in pairs(sum) do xs[#xs + 1] = epoch end
      table.sort(xs)
      local ys = {}
      for k, epoch in ipairs(xs) do ys[k] = sum[epoch] / n[epoch] end
      series[#series + 1] = { title = def.name .. (what == "test_acc" and " test" or " train"),
        x = xs, y = ys }
    end
  end
  return series
end

-- The augmentations --augment names ("flip,shift:2"), or nil for "none".
local function parse_augment(text)
  local data, ops = require "sfew.data", {}
  for name, arg in text:gmatch("(%a+):?([%d.]*)") do
    if name == "flip" then ops[#ops + 1] = data.flip()
    elseif name == "shift" then ops[#ops + 1] = data.shift(math.tointeger(tonumber(arg)) or 2)
    elseif name == "rotate" then ops[#ops + 1] = data.rotate(tonumber(arg) or 10)
    elseif name == "erase" then ops[#ops + 1] = data.erase()
    elseif name ~= "none" then error("--augment: unknown augmentation '" .. name .. "'", 0) end
  end
  return #ops > 0 and ops or nil
end

-- --fashion: one recipe on Fashion-MNIST, test accuracy by epoch.
local function fashion(o)
  local sfew = require "sfew"
  local rng = sfew.rng(o.seed)
  local train, test = assert(sfew.data.fashion_mnist(o.data))
  if o.limit then
    train = train:subset(rng:permutation(#train)):subset(table.move(rng:permutation(o.limit),
      1, o.limit, 1, {}))
    test = test:subset(table.move(rng:permutation(#test), 1, math.max(10, o.limit // 6), 1, {}))
  end
  test:normalize(train:normalize())
  local s = { batchnorm = true, augment = parse_augment(o.augment), cosine = o.cosine }
  local net = sfew.models.paper_cnn(16, 32, { rng = rng, batchnorm = true, height = 28,
    width = 28, classes = 10 })
  local hist = fit(o, s, net, train.x, train.y, o.epochs, rng, test)
  local rows = {}
  for _, e in ipairs(hist.eval) do
    rows[#rows + 1] = { epoch = e.epoch, train_acc = e.train_acc, test_acc = e.test_acc }
  end
  local cols = { { "epoch", "Epoch" }, { "train_acc", "Train acc", "%.4f" },
    { "test_acc", "Test acc", "%.4f" } }
  io.write(report.text(rows, cols))
  local md = "# Fashion-MNIST: the paper's network with BatchNorm and augmentation\n\n"
    .. report.markdown(rows, cols) .. ("\nTraining: %.0f s.\n\n## Settings\n\n%s")
      :format(hist.seconds, experiment.settings(o))
  experiment.write(o, config.name, md, rows)
  return { rows = rows, history = hist, markdown = md }
end

function M.run(opts)
  local o = experiment.options(spec, opts)
  experiment.apply_quick(o, config.quick)
  experiment.setup(o)
  if o.fashion then return fashion(o) end
  local dir = o.out and (o.out .. "/runs")
  if dir then report.mkdir(dir) end
  local wanted = {}
  for name in (o.rows or ""):gmatch("[^,]+") do wanted[name] = true end
  local records = {}
  for i, def in ipairs(o.merge and {} or M.rows) do
    if (not o.rows or wanted[def.name]) and enabled(o, def) then
      for r = o.first_run, o.runs do
        local rec = run_one(o, i, r)
        records[#records + 1] = rec
        if dir then
          assert(report.write_atomic(("%s/%s-run%d.jsonl"):format(dir, def.name, r),
            report.jsonl { rec }))
        end
      end
    end
  end
  if dir and (o.merge or o.rows or o.first_run > 1) then records = report.read_jsonl_dir(dir) end
  local rows, by = M.tabulate(records)
  io.write(report.text(rows, columns))
  local md = { "# Beyond the paper: one change at a time\n\n", report.markdown(rows, columns) }
  if o.out and #rows > 0 then
    local ok, err = plot.lines { path = o.out .. "/curves.png", title = "Learning curves",
      xlabel = "epoch", ylabel = "accuracy (mean over runs)", series = curves(by) }
    md[#md + 1] = ok and "\n![learning curves](curves.png)\n" or ""
    if not ok then io.stderr:write(err, "\n") end
  end
  md[#md + 1] = "\n## Settings\n\n" .. experiment.settings(o)
  md = table.concat(md)
  experiment.write(o, config.name, md, records)
  return { records = records, rows = rows, markdown = md }
end

-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "experiments.beyond", "Beyond the paper: an ablation from the paper's "
  .. "network and settings, adding one training technique at a time.")
doc.table(M, {
  run = { "require(\"experiments.beyond\").run{epochs = 40, paper_epochs = 700, runs = 5, "
    .. "lr = 1e-3, batch = 32, rows, pretrain, pretrain_epochs = 10, first_run = 1, merge, "
    .. "fashion, augment = \"flip,shift:2\", cosine, data, seed = 1, threads, out, quick, limit}",
    "The ablation table (mean ± sd of test accuracy over the runs, train accuracy, time, "
    .. "parameters, inference time) and learning curves; with fashion, the paper's network "
    .. "with BatchNorm and augmentation on Fashion-MNIST. ",
    "require(\"experiments.beyond\").run{quick = true}" },
  rows = { "experiments.beyond.rows",
    "The ablation's rows in order: each {name, label, ...} adds its fields to the rows above." },
  tabulate = { "experiments.beyond.tabulate(records)",
    "One row per setting from the runs' records: mean ± sd of every measure." },
  config = { "experiments.beyond.config", "Name and --quick settings." },
  spec = { "experiments.beyond.spec", "The command-line options (sfew.cli spec) of beyond.lua." },
})

return experiment.script(M, spec, "usage: sfewlua experiments/beyond.lua [options]")
