-- What every experiment script shares: the common options, running as a script or as a
-- module, the face data split 80/20 and standardised, cloning nets, confusion
-- matrices, and writing report.md / results.jsonl / plots under --out.
local cli = require "sfew.cli"
local models = require "sfew.models"
local report = require "sfew.report"

local M = {}

-- Options every experiment takes; experiments append their own.
function M.common(defaults)
  return {
    { "data", defaults.data, "data folder or CSV file (default: built-in synthetic faces)",
      type = "string" },
    { "epochs", defaults.epochs, "training epochs", type = "integer" },
    { "runs", defaults.runs or 1, "independent runs", type = "integer" },
    { "seed", defaults.seed or 1, "seed of every random draw", type = "integer" },
    { "batch", defaults.batch, "minibatch size (default: full batch)",
      type = "integer" },
    { "lr", defaults.lr, "learning rate", type = "number" },
    { "threads", defaults.threads, "engine threads (default: all cores)", type = "integer" },
    { "out", defaults.out, "folder for report.md, results.jsonl and plots", type = "string" },
    { "quick", false, "small settings that finish in well under a minute" },
    { "limit", nil, "use only this many images (after shuffling)", type = "integer" },
    { "crop", nil, "\"face\": cut each image of --data to its largest face", type = "string" },
    { "detector", nil, "face cascade for --crop face (haar_alt2, haar_default, haar_alt, "
      .. "lbp, lbp_improved, or a cascade XML path)", type = "string" },
  }
end

local function extend(a, b)
  local out = {}
  for _, x in ipairs(a) do out[#out + 1] = x end
  for _, x in ipairs(b or {}) do out[#out + 1] = x end
  return out
end
M.extend = extend

-- Makes an experiment file both a script and a module (sfew.script): run by sfewlua it
-- parses arg (bad options print a message and exit with status 2) and returns run()'s
-- results (kept in `result` with sfewlua -i); required or dofile'd it returns mod.
function M.script(mod, spec, usage)
  return require("sfew.script").main(mod, function(args)
    local ok, opts = pcall(cli.parse, args, spec, usage)
    if not ok then
      io.stderr:write(tostring(opts), "\n")
      os.exit(2)
    end
    if opts then return mod.run(opts) end
  end)
end

-- Fills the defaults for a run() called from Lua with a partial options table; with
-- quick (the experiment's small settings), applies them when --quick is on.
function M.options(spec, given, quick)
  local o = given
  if not (given and given._given) then o = cli.merge(spec, given) end
  if quick then M.apply_quick(o, quick) end
  return o
end

-- With --quick, the experiment's small settings replace the defaults (not the options
-- given explicitly).
function M.apply_quick(o, quick)
  if not o.quick then return o end
  for k, v in pairs(quick) do
    if not (o._given and o._given[k]) then o[k] = v end
  end
  return o
end

function M.setup(o)
  local sfew = require "sfew"
  if o.threads then sfew.threads(o.threads) end
  if o.out then report.mkdir(o.out) end
  return sfew.rng(o.seed)
end

-- The image data set split 80/20 and normalised with the training part's statistics.
-- opts: data (folder; default the built-in synthetic faces), limit (rows kept, for --quick).
function M.faces(o, rng)
  local data = require "sfew.data"
  local ds
  local found
  if o.crop ~= nil and o.crop ~= "face" then
    error(("--crop takes \"face\", not %q"):format(o.crop), 0)
  end
  if o.data then
    local opts = { width = 90, height = 72, gray = true }
    if o.crop then
      opts.crop = "face"
      opts.detector = o.detector and assert(data.face_detector(o.detector)) or nil
    end
    ds = assert(data.image_folder(o.data, opts))
    found = o.crop and require("sfew.faces").summary(ds)
  else
    ds = assert(data.load_default())
  end
  ds:shuffle(rng)
  if o.limit and o.limit < #ds then
    local keep = {}
    for i = 1, o.limit do keep[i] = i end
    ds = ds:subset(keep)
  end
  local train, test = ds:split(0.8, rng)
  local stats = train:normalize()
  test:normalize(stats)
  ds.note = ("%s: %d images (%d train, %d test)%s"):format(o.data or
    "the built-in synthetic faces", #ds, #train, #test,
    found and ("; cropped to faces (%s detector): %s"):format(o.detector or "haar_alt2",
      found) or "")
  return train, test, ds
end

-- Runs f(rng, seed, r) for r = 1..o.runs, run r with seed o.seed + r - 1 (recorded in
-- its results), and returns the list of f's results and their records joined in one list.
function M.each_run(o, f)
  local sfew = require "sfew"
  if o.threads then sfew.threads(o.threads) end
  if o.out then report.mkdir(o.out) end
  local out = {}
  for r = 1, o.runs do
    local seed = o.seed + r - 1
    out[r] = f(sfew.rng(seed), seed, r)
  end
  return out, M.concat(out, "records")
end

-- What run() returns: the first run's results, the list of runs, the records of every
-- run in one list, and the fields of extra.
function M.results(runs, extra)
  local out = { runs = runs }
  for k, v in pairs(runs[1]) do out[k] = v end
  out.records = M.concat(runs, "records")
  for k, v in pairs(extra) do out[k] = v end
  return out
end

-- The lists list[i][key] joined into one list (e.g. the records of every run).
function M.concat(list, key)
  local out = {}
  for _, item in ipairs(list) do
    for _, x in ipairs(item[key]) do out[#out + 1] = x end
  end
  return out
end

-- The feature table (o.data, else the built-in one; with o.patches, K x K patches of the
-- face images) split 80/20: train and test matrices. Columns as read, or z-scored with the
-- training part's statistics with o.standardize. Third result: the data in words.
function M.feature_table(o, rng, patch_count)
  local data = require "sfew.data"
  local ds
  if o.patches then
    local faces = o.data and assert(data.image_folder(o.data)) or assert(data.load_default())
    ds = data.Dataset.new{ x = data.random_patches(faces.x, o.patches, patch_count, rng) }
  else
    ds = assert(data.read_csv(o.data or assert(require("sfew.features").default_csv()),
      { na = "drop", label = not o.label and "label" or false }))
  end
  local train, test = ds:split(0.8, rng)
  if o.standardize then test:normalize(train:normalize()) end
  local what = o.patches and ("%d x %d patches of %s"):format(o.patches, o.patches,
    o.data or "the built-in synthetic faces") or (o.data or "the built-in feature table "
    .. "(LPQ and PHOG of the synthetic faces)")
  return train.x, test.x, ("%s, %d rows x %d columns"):format(what, #ds, ds.x:size(2))
end

-- A report's heading: the title, and for a --quick run a first line saying so.
function M.title(o, title)
  local size = {}
  if o.epochs then size[#size + 1] = o.epochs .. " epochs" end
  if o.limit then size[#size + 1] = o.limit .. " images" end
  local what = #size > 0 and " (" .. table.concat(size, ", ") .. ")" or ""
  local quick = o.quick and ("> Quick run%s: far smaller than the default settings; the "
    .. "numbers only show that everything runs.\n\n"):format(what) or ""
  return quick .. "# " .. title .. "\n\n"
end

-- A copy of a network with its own parameters.
function M.clone(net)
  local nn = require "sfew.nn"
  local c = nn.build(net:spec())
  local dst = c:parameters()
  for i, p in ipairs(net:parameters()) do dst[i]:copy(p) end
  return c
end

-- Confusion matrix of net on (x, y): counts[true][predicted], k classes.
function M.confusion_matrix(net, x, y, k)
  local was_training = net.training
  net:evaluate()
  local pred = net:forward(x):argmax(2)
  if was_training then net:train() end
  local m = {}
  for i = 1, k do m[i] = {} for j = 1, k do m[i][j] = 0 end end
  local yy, pp = y:flat(), pred:flat()
  for i = 1, #yy do m[yy[i]][pp[i]] = m[yy[i]][pp[i]] + 1 end
  return m
end

-- A confusion matrix (or the sum of several) as table rows with per-class accuracy.
function M.confusion_table(matrices, classes)
  local k = #classes
  local m = {}
  for i = 1, k do
    m[i] = {}
    for j = 1, k do
      m[i][j] = 0
      for _, c in ipairs(matrices) do m[i][j] = m[i][j] + c[i][j] end
    end
  end
  local rows = {}
  for i = 1, k do
    local row, total = { class = classes[i] }, 0
    for j = 1, k do row[classes[j]] = m[i][j]; total = total + m[i][j] end
    row.accuracy = total > 0 and m[i][i] / total or 0 / 0
    rows[i] = row
  end
  local cols = { { "class", "true \\ predicted" } }
  for j = 1, k do cols[#cols + 1] = { classes[j], classes[j]:sub(1, 3) } end
  cols[#cols + 1] = { "accuracy", "accuracy", "%.3f" }
  return rows, cols
end

-- Confusion matrix (true class rows, predicted columns) and per-class accuracy.
function M.confusion(net, x, y, classes)
  return M.confusion_table({ M.confusion_matrix(net, x, y, #classes) }, classes)
end

-- Writes one run's record to dir/name.jsonl (nothing without dir), so runs made by
-- separate processes can be merged.
function M.save_run(dir, name, rec)
  if not dir then return end
  report.mkdir(dir)
  assert(report.write_atomic(dir .. "/" .. name .. ".jsonl", report.jsonl{ rec }))
end

-- Markdown: for each table row, the test-set confusion summed over the records of its
-- group (row[key] == group_of(record)).
function M.confusions(rows, records, key, group_of)
  local md = {}
  for _, row in ipairs(rows) do
    local mats = {}
    for _, r in ipairs(records) do
      if group_of(r) == row[key] and r.confusion then mats[#mats + 1] = r.confusion end
    end
    if #mats > 0 then
      local classes = require("sfew.data").classes
      md[#md + 1] = ("\n## Confusion on the test set, %s (%d runs)\n\n"):format(row[key], #mats)
      md[#md + 1] = report.markdown(M.confusion_table(mats, classes))
    end
  end
  return table.concat(md)
end

-- The report: title (with the --quick line), the parts in order, then the options used;
-- written with records under o.out (M.write). Returns the Markdown.
function M.finish(o, name, title, parts, records)
  local md = M.title(o, title) .. table.concat(parts) .. "\n## Options\n\n" .. M.settings(o)
  M.write(o, name, md, records)
  return md
end

-- Draws plot.<kind>(spec) to o.out/file; nothing without o.out.
function M.plot(o, file, kind, spec)
  if not o.out then return end
  spec.path = o.out .. "/" .. file
  return require("sfew.plot")[kind](spec)
end

-- Writes report.md and results.jsonl under o.out and says where they are.
function M.write(o, name, markdown, records)
  if not o.out then return end
  assert(report.write_atomic(o.out .. "/report.md", markdown))
  assert(report.write_atomic(o.out .. "/results.jsonl", report.jsonl(records)))
  print(("%s: report in %s/report.md, results in %s/results.jsonl"):format(name, o.out, o.out))
end

-- A "setting: value" list of the options used, for reports.
function M.settings(o)
  local keys = {}
  for k, v in pairs(o) do
    if k:sub(1, 1) ~= "_" and type(v) ~= "table" then keys[#keys + 1] = k end
  end
  table.sort(keys)
  local lines = {}
  for _, k in ipairs(keys) do lines[#lines + 1] = ("- %s: %s"):format(k, tostring(o[k])) end
  return table.concat(lines, "\n") .. "\n"
end

-- The paper's network, defined once in sfew.models (kept here for experiment scripts).
M.paper_cnn = models.paper_cnn

-- Beyond the paper: takes the masked kernels of the Conv2d at net[layer] out of a copy of
-- the net, checks that the outputs on x stay the same, and times a training step and an
-- inference pass before and after. Returns a record and the smaller net.
function M.removal_check(net, layer, masked, criterion, train, x)
  local prune = require "sfew.prune"
  net:evaluate()
  local before = net:forward(x):clone()
  local t_step, t_inf = M.time_net(net, criterion, train.x, train.y, 3)
  local small = M.clone(net)
  prune.remove_channels(small, layer, masked)
  small:evaluate()
  local diff = small:forward(x) - before
  local s_step, s_inf = M.time_net(small, criterion, train.x, train.y, 3)
  return { removed = #masked, max_output_diff = math.max(diff:max(), -diff:min()),
    epoch_seconds = t_step, epoch_seconds_pruned = s_step, inference_seconds = t_inf,
    inference_seconds_pruned = s_inf }, small
end

M.removal_columns = { { "removed", "Removed" }, { "max_output_diff", "Max output change", "%.2g" },
  { "epoch_seconds", "Epoch s", "%.3f" }, { "epoch_seconds_pruned", "Epoch s, pruned", "%.3f" },
  { "inference_seconds", "Inference s", "%.3f" },
  { "inference_seconds_pruned", "Inference s, pruned", "%.3f" } }

-- prune.png (the pruning curve: mean losses, accuracies and the next kernel's importance
-- from report.group_stats rows) and training.png (train loss per evaluation) under o.out.
function M.plot_pruning(o, rows, hist)
  if not o.out then return end
  local plot = require "sfew.plot"
  local xs = report.pluck(rows, "pruned")
  local function series(key, title, axis)
    return { title = title, x = xs, y = report.pluck(rows, key .. "_mean"), axis = axis }
  end
  plot.lines{ path = o.out .. "/prune.png", title = "Importance pruning of conv1",
    xlabel = "masked kernels", integer_x = true, ylabel = "loss / accuracy",
    y2label = "next importance", series = { series("train_loss", "train loss"),
      series("test_loss", "test loss"), series("train_acc", "train accuracy"),
      series("test_acc", "test accuracy"), series("min_importance", "importance", "y2") } }
  plot.lines{ path = o.out .. "/training.png", title = "Training", xlabel = "epoch",
    ylabel = "train loss", series = { { title = "train loss", x = report.pluck(hist.eval,
      "epoch"), y = report.pluck(hist.eval, "train_loss") } } }
end

-- The paper's CNN (c1, c2) trained with Adam and cross-entropy on train (a Dataset) for
-- o.epochs at o.lr (o.batch: minibatch size, default full batch). fit: extra options of
-- train.fit (test, eval_every, eval_initial, label). Returns net, criterion, history.
function M.train_cnn(o, c1, c2, rng, train, fit)
  local net = M.paper_cnn(c1, c2, { rng = rng })
  local loss_fn = require("sfew.nn").CrossEntropyLoss()
  return net, loss_fn, M.fit(o, net, loss_fn, train.x, train.y, rng, fit)
end

-- Trains net on (x, y) with Adam at o.lr for o.epochs (o.batch: minibatch size, default
-- full batch); fit: other options of train.fit (epochs, label, progress, ...). Returns
-- train.fit's history.
function M.fit(o, net, criterion, x, y, rng, fit)
  local sfew = require "sfew"
  local args = { net = net, criterion = criterion, x = x, y = y, rng = rng,
    optimizer = sfew.optim.Adam(net:parameters(), { lr = o.lr }), epochs = o.epochs,
    batch = o.batch }
  for k, v in pairs(fit or {}) do args[k] = v end
  return sfew.train.fit(args)
end

-- Fills rec with the loss and accuracy of net on train and on test (Datasets); returns rec.
function M.measure(net, criterion, train, test, rec)
  local evaluate = require("sfew.train").evaluate
  rec = rec or {}
  rec.train_loss, rec.train_acc = evaluate(net, criterion, train.x, train.y)
  rec.test_loss, rec.test_acc = evaluate(net, criterion, test.x, test.y)
  return rec
end

-- Median seconds of one full-batch training step (on a clone, with a fresh Adam) and of
-- one inference pass over x, over reps repetitions.
function M.time_net(net, criterion, x, y, reps)
  local sfew = require "sfew"
  local c = M.clone(net)
  local conv1 = net[1]
  if conv1.mask and conv1:mask() then c[1]:set_mask(conv1:mask()) end
  local opt = sfew.optim.Adam(c:parameters(), { lr = 1e-3 })
  local function median(f)
    local ts = {}
    for i = 1, reps do
      local t0 = sfew.clock()
      f()
      ts[i] = sfew.clock() - t0
    end
    table.sort(ts)
    return ts[(reps + 1) // 2]
  end
  local step = median(function() sfew.train.step(c, criterion, opt, x, y) end)
  c:evaluate()
  local infer = median(function() c:forward(x) end)
  return step, infer
end

-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "sfew.experiment", "What experiment scripts share: options, data, runs, "
  .. "training the paper's CNN, confusion matrices, reports.")
doc.table(M, {
  results = { "experiment.results(runs, extra)",
    "What run() returns: the first run's results, the list of runs, every run's records in "
    .. "one list, and the fields of extra." },
  finish = { "experiment.finish(o, name, title, parts, records)",
    "Writes the report (title with the --quick line, the parts, the options used) and the "
    .. "records under o.out; returns the Markdown." },
  plot = { "experiment.plot(o, file, kind, spec)",
    "Draws plot.<kind>(spec) to o.out/file; nothing without o.out." },
  fit = { "experiment.fit(o, net, criterion, x, y, rng, fit)",
    "Trains net with Adam at o.lr for o.epochs (o.batch: minibatch size); fit: further "
    .. "train.fit options. Returns train.fit's history." },
  common = { "experiment.common(defaults)",
    "The options every experiment takes (--data --epochs --runs --seed --batch --lr "
    .. "--threads --out --quick --limit --crop --detector), with the given defaults." },
  extend = { "experiment.extend(a, b)", "A new list: the entries of a, then those of b." },
  script = { "experiment.script(M, spec, usage)",
    "Ends an experiment file: run as a script it parses arg and calls M.run; required, "
    .. "it returns M." },
  options = { "experiment.options(spec, given)",
    "The spec's defaults overridden by the Lua table given (for run() called from Lua)." },
  apply_quick = { "experiment.apply_quick(o, quick)",
    "With o.quick, the small settings quick replace the options not given explicitly." },
  setup = { "experiment.setup(o)", "Sets threads, creates o.out; returns sfew.rng(o.seed)." },
  faces = { "experiment.faces(o, rng)",
    "The face images (o.data or the built-in set) shuffled, cut to o.limit, split 80/20 and "
    .. "normalised: train, test, all." },
  each_run = { "experiment.each_run(o, f)",
    "f(rng, seed, r) for r = 1..o.runs with seed o.seed + r - 1; the list of results." },
  concat = { "experiment.concat(list, key)", "The lists list[i][key] joined into one list." },
  feature_table = { "experiment.feature_table(o, rng, patch_count)",
    "The feature table (or image patches with o.patches) split 80/20: train x, test x, note." },
  title = { "experiment.title(o, title)",
    "A report heading, with a first line saying so for a --quick run." },
  clone = { "experiment.clone(net)", "A copy of a Sequential with its own parameters." },
  confusion_matrix = { "experiment.confusion_matrix(net, x, y, k)",
    "Counts [true class][predicted class] of net on (x, y), k classes." },
  confusion_table = { "experiment.confusion_table(matrices, classes)",
    "Rows and columns (for report.text/markdown) of the summed matrices with per-class accuracy." },
  confusion = { "experiment.confusion(net, x, y, classes)",
    "Rows and columns of net's confusion matrix on (x, y) with per-class accuracy." },
  save_run = { "experiment.save_run(dir, name, rec)",
    "Writes one run's record to dir/name.jsonl (nothing without dir)." },
  confusions = { "experiment.confusions(rows, records, key, group_of)",
    "Markdown: per table row, the test confusion summed over the records of its group." },
  write = { "experiment.write(o, name, markdown, records)",
    "Writes report.md and results.jsonl under o.out and says where." },
  settings = { "experiment.settings(o)", "A Markdown \"- setting: value\" list of the options." },
  paper_cnn = { "experiment.paper_cnn(c1, c2 [, opts])", "Same as models.paper_cnn." },
  removal_check = { "experiment.removal_check(net, layer, masked, criterion, train, x)",
    "Removes the masked kernels of net[layer] from a copy, checks the outputs on x and times "
    .. "both; a record and the smaller net." },
  removal_columns = { "experiment.removal_columns", "Report columns of removal_check's record." },
  plot_pruning = { "experiment.plot_pruning(o, rows, hist)",
    "prune.png and training.png under o.out (needs gnuplot)." },
  train_cnn = { "experiment.train_cnn(o, c1, c2, rng, train [, fit_opts])",
    "The paper's CNN trained with Adam and cross-entropy by train.fit; net, criterion, history." },
  measure = { "experiment.measure(net, criterion, train, test [, rec])",
    "rec with train and test loss and accuracy filled in." },
  time_net = { "experiment.time_net(net, criterion, x, y, reps)",
    "Median seconds of a training step (on a copy) and of an inference pass." },
})

return M
