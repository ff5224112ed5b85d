-- sfew.ablation: tables that add one change at a time to a training recipe. Each row adds
-- its fields to the rows above it; each (row, run) is trained by the caller and its record
-- kept in runs/<row>-run<r>.jsonl, so runs made by separate processes merge into one table
-- of mean ± sd per row with mean learning curves.
local argcheck = require "sfew.argcheck"
local augment = require "sfew.augment"
local experiment = require "sfew.experiment"
local nn = require "sfew.nn"
local optim = require "sfew.optim"
local report = require "sfew.report"
local sys = require "sfew.core.sys"
local train = require "sfew.train"

local M = {}

-- Raises lauxlib's "bad argument #k to 'ablation.fname' (T expected, got U)" at the
-- caller of the public function unless each argument has its type: spec lists
-- {value, type [, optional]} in argument order; type "net" is a table or a userdata.
local function check(fname, spec)
  for pos, a in ipairs(spec) do
    local v, t = a[1], a[2]
    local ok = type(v) == t or (t == "net" and (type(v) == "table" or type(v) == "userdata"))
      or (a[3] and v == nil)
    if not ok then argcheck.expected(pos, "ablation." .. fname, t == "net" and "network" or t,
      v, 2) end
  end
end

-- The options of fit and pretrain (pretrain reads lr, batch, rng, classes; a caller may
-- hand both the same table).
local FIT_OPTIONS = argcheck.set { "x", "y", "epochs", "lr", "batch", "rng", "test", "params",
  "classes" }

-- Whether a row runs with the options o: a row without an enabled predicate always does.
function M.enabled(row, o)
  check("enabled", { { row, "table" }, { o, "table" } })
  return row.enabled == nil or (row.enabled(o) and true or false)
end

local not_settings = { name = true, label = true, enabled = true }

-- The settings of row i: base, then the fields of the enabled rows 1..i in order.
function M.settings(rows, i, o, base)
  check("settings", { { rows, "table" }, { i, "number" }, { o, "table" },
    { base, "table", true } })
  local s = {}
  for k, v in pairs(base or {}) do s[k] = v end
  for k = 1, i do
    if M.enabled(rows[k], o) then
      for key, v in pairs(rows[k]) do
        if not not_settings[key] then s[key] = v end
      end
    end
  end
  return s
end

-- The rows o.rows names (comma-separated), as a set; nil for all.
local function wanted(rows, o)
  if not o.rows then return nil end
  local known, set = {}, {}
  for _, row in ipairs(rows) do known[row.name] = true end
  for name in o.rows:gmatch("[^,%s]+") do
    if not known[name] then
      local near = argcheck.suggest(name, known)
      error(("--rows: no row '%s'%s"):format(name, near and (" (did you mean '%s'?)"):format(near)
        or ""), 0)
    end
    set[name] = true
  end
  return set
end

-- run(i, r) -> record for each row i that o.rows names (all by default) and that is
-- enabled, for r = o.first_run .. o.runs; each record is written to
-- o.out/runs/<row>-run<r>.jsonl as soon as it is made. With o.merge (nothing is trained),
-- o.rows or o.first_run > 1, the records are then every one under o.out/runs.
function M.collect(rows, o, run)
  check("collect", { { rows, "table" }, { o, "table" }, { run, "function" } })
  local dir = o.out and (o.out .. "/runs")
  if dir then report.mkdir(dir) end
  local want, first = wanted(rows, o), o.first_run or 1
  local records = {}
  for i, row in ipairs(o.merge and {} or rows) do
    if (not want or want[row.name]) and M.enabled(row, o) then
      for r = first, o.runs or 1 do
        local rec = run(i, r)
        records[#records + 1] = rec
        if dir then
          assert(report.write_atomic(("%s/%s-run%d.jsonl"):format(dir, row.name, r),
            report.jsonl { rec }))
        end
      end
    end
  end
  if dir and (o.merge or o.rows or first > 1) then records = report.read_jsonl_dir(dir) end
  return records
end

-- The measures tabulated, and the table's columns.
M.measures = { "test_acc", "train_acc", "seconds", "params", "infer_ms" }
M.columns = {
  { "label", "Setting" }, { "runs", "Runs" }, { "test_acc", "Test acc" },
  { "train_acc", "Train acc" }, { "seconds", "Train s" }, { "params", "Parameters" },
  { "infer_ms", "Inference ms/image" },
}

-- One table row per row with records, in rows order: mean ± sd of every measure over its
-- runs (and <measure>_mean). Second result: the records by row name.
function M.tabulate(records, rows)
  check("tabulate", { { records, "table" }, { rows, "table" } })
  local by, out = {}, {}
  for _, r in ipairs(records) do by[r.row] = by[r.row] or {}; table.insert(by[r.row], r) end
  for _, def in ipairs(rows) do
    local recs = by[def.name]
    if recs then
      local row = { row = def.name, label = def.label, runs = #recs }
      for _, f in ipairs(M.measures) do
        local xs = {}
        for k, r in ipairs(recs) do xs[k] = r[f] end
        local m, sd = report.mean_std(xs)
        row[f .. "_mean"] = m
        local fmt = (f == "params" and "%d") or (f:match("acc") and "%.4f") or "%.2f"
        row[f] = (#xs > 1 and f ~= "params") and (fmt .. " ± " .. fmt):format(m, sd)
          or fmt:format(f == "params" and math.floor(m) or m)
      end
      out[#out + 1] = row
    end
  end
  return out, by
end

-- Mean train and test accuracy by epoch over each row's runs (the records' curve), as
-- plot.lines series.
function M.curves(by, rows)
  check("curves", { { by, "table" }, { rows, "table" } })
  local series = {}
  for _, def in ipairs(rows) do
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

-- Each distinct note of the records (what a run's data was, e.g. how many faces were
-- found), once, from the first row whose runs have it.
local function notes(trows, by)
  local out, seen = {}, {}
  for _, row in ipairs(trows) do
    for _, rec in ipairs(by[row.row]) do
      if rec.note and not seen[rec.note] then
        seen[rec.note] = true
        out[#out + 1] = ("\nFrom the row \"%s\" on: %s.\n"):format(row.label, rec.note)
      end
    end
  end
  return table.concat(out)
end

-- Prints the table of the records, draws the learning curves to o.out/curves.png and
-- writes report.md (the table, the records' notes, the curves, the parts, the options) and
-- results.jsonl under o.out. Returns {records, rows (the table's), markdown}.
function M.report(o, rows, records, opts)
  check("report", { { o, "table" }, { rows, "table" }, { records, "table" },
    { opts, "table", true } })
  opts = opts or {}
  local trows, by = M.tabulate(records, rows)
  io.write(report.text(trows, M.columns))
  local parts = { report.markdown(trows, M.columns), notes(trows, by) }
  if #trows > 0 then
    local ok, err = experiment.plot(o, "curves.png", "lines", { title = "Learning curves",
      xlabel = "epoch (log scale: the paper's row runs far longer)", log_x = true,
      ylabel = "accuracy (mean over runs)", series = M.curves(by, rows) })
    if ok then parts[#parts + 1] = "\n![learning curves](curves.png)\n" end
    if err then io.stderr:write(err, "\n") end
  end
  for _, p in ipairs(opts.parts or {}) do parts[#parts + 1] = p end
  return { records = records, rows = trows,
    markdown = experiment.finish(o, opts.name, opts.title, parts, records) }
end

-- For one recipe: prints its train and test accuracy by epoch (fit's history hist) and
-- writes them to report.md and results.jsonl under o.out; returns {rows, history, markdown}.
function M.epochs_report(o, hist, opts)
  check("epochs_report", { { o, "table" }, { hist, "table" }, { opts, "table" } })
  local cols = { { "epoch", "Epoch" }, { "train_acc", "Train acc", "%.4f" },
    { "test_acc", "Test acc", "%.4f" } }
  local rows = {}
  for k, e in ipairs(hist.eval) do
    rows[k] = { epoch = e.epoch, train_acc = e.train_acc, test_acc = e.test_acc }
  end
  io.write(report.text(rows, cols))
  local md = experiment.finish(o, opts.name, opts.title, { report.markdown(rows, cols),
    ("\nTraining: %.0f s.\n"):format(hist.seconds) }, rows)
  return { rows = rows, history = hist, markdown = md }
end

-- A command-line check for an augmentation list (data.parse_augment's text): raises
-- "--augment: ..." without a position, as the other option errors read.
function M.check_augment(text)
  check("check_augment", { { text, "string" } })
  local ok, err = pcall(augment.parse_augment, text)
  if not ok then error("--augment: " .. err:gsub("^.-:%d+: ", ""), 0) end
end

-- a, when it holds the same image files as b in the same order (a face-cropped load of the
-- folder b was loaded from, so a run's split picks the same images from both); else an
-- error.
function M.aligned(a, b)
  check("aligned", { { a, "table" }, { b, "table" } })
  local same = #a == #b and #(a.paths or {}) == #a
  for i = 1, same and #a or 0 do same = same and a.paths[i] == b.paths[i] end
  if not same then error("the two data sets do not hold the same images in the same order", 2) end
  return a
end

-- Trains net on opts.x, opts.y with the recipe of the settings s: Adam, or AdamW with
-- s.weight_decay; full batch with s.full_batch, else shuffled minibatches of opts.batch;
-- s.augment (a list of augmentations, or their data.parse_augment text) on every batch;
-- a cosine schedule over the epochs with s.cosine. opts: x, y, epochs, lr, batch, rng,
-- test (evaluated 20 times over the epochs), params (default all of net's). Returns fit's
-- history.
function M.fit(net, s, opts)
  check("fit", { { net, "net" }, { s, "table" }, { opts, "table" } })
  argcheck.options(opts, FIT_OPTIONS, 3, "ablation.fit")
  local params = opts.params or net:parameters()
  local opt = s.weight_decay and optim.AdamW(params, { lr = opts.lr,
    weight_decay = s.weight_decay }) or optim.Adam(params, { lr = opts.lr })
  local ops = type(s.augment) == "string" and augment.parse_augment(s.augment) or s.augment
  return train.fit { net = net, criterion = nn.CrossEntropyLoss(), optimizer = opt,
    x = opts.x, y = opts.y, epochs = opts.epochs, batch = not s.full_batch and opts.batch or nil,
    rng = opts.rng, test = opts.test, eval_every = math.max(1, opts.epochs // 20),
    progress = false, augment = ops and #ops > 0 and augment.augment(ops) or nil,
    schedule = s.cosine and optim.CosineAnnealingLR(opt, { T_max = opts.epochs }) or nil }
end

-- Pretrains net on the data set ds for epochs with the recipe s (opts: lr, batch, rng as
-- M.fit's; the others are not used), then replaces its last layer (a Linear) by a new one
-- for opts.classes classes and returns two parameter groups for fine-tuning: the layers
-- below at a tenth of opts.lr, the new classifier at opts.lr.
function M.pretrain(net, ds, s, epochs, opts)
  check("pretrain", { { net, "net" }, { ds, "table" }, { s, "table" }, { epochs, "number" },
    { opts, "table" } })
  argcheck.options(opts, FIT_OPTIONS, 5, "ablation.pretrain")
  M.fit(net, s, { x = ds.x, y = ds.y, epochs = epochs, lr = opts.lr, batch = opts.batch,
    rng = opts.rng })
  local last = #net
  net:replace(last, nn.Linear(net[last].weight:size(2), opts.classes, { rng = opts.rng }))
  local features = {}
  for i = 1, last - 1 do
    for _, p in ipairs(net[i]:parameters()) do features[#features + 1] = p end
  end
  return { { params = features, lr = opts.lr / 10 }, { params = net[last]:parameters() } }
end

-- The number of parameters of net.
function M.params(net)
  check("params", { { net, "net" } })
  local n = 0
  for _, p in ipairs(net:parameters()) do n = n + p:numel() end
  return n
end

-- Milliseconds per image of a forward pass over x in evaluate mode: the median of three.
function M.inference_ms(net, x)
  check("inference_ms", { { net, "net" }, { x, "userdata" } })
  net:evaluate()
  local times = {}
  for k = 1, 3 do
    local t1 = sys.clock()
    net:forward(x)
    times[k] = sys.clock() - t1
  end
  table.sort(times)
  return times[2] / x:size(1) * 1000
end

-- Adds to rec (returned) what the table shows of a trained net: train and test loss and
-- accuracy (cross-entropy), parameters, inference time and the test confusion counts.
function M.measure(net, train_set, test_set, rec)
  check("measure", { { net, "net" }, { train_set, "table" }, { test_set, "table" },
    { rec, "table" } })
  local crit = nn.CrossEntropyLoss()
  rec.train_loss, rec.train_acc = train.evaluate(net, crit, train_set.x, train_set.y)
  rec.test_loss, rec.test_acc = train.evaluate(net, crit, test_set.x, test_set.y)
  rec.params = M.params(net)
  rec.infer_ms = M.inference_ms(net, test_set.x)
  rec.confusion = train.confusion(net, test_set.x, test_set.y, test_set.classes).counts
  return rec
end

-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "sfew.ablation", "Ablation tables: rows that add one change at a time to a "
  .. "training recipe, runs merged from files, mean ± sd per row and learning curves.")
doc.table(M, {
  enabled = { "ablation.enabled(row, o)",
    "Whether row runs with the options o: row.enabled(o) when it has that predicate." },
  settings = { "ablation.settings(rows, i, o [, base])",
    "The settings of row i: base, then the fields of the enabled rows 1..i in order "
    .. "(name, label and enabled left out)." },
  collect = { "ablation.collect(rows, o, run)",
    "Calls run(i, r) -> record for each row o.rows names (all by default) that is enabled, "
    .. "r = o.first_run .. o.runs, writing each record to o.out/runs/<row>-run<r>.jsonl; "
    .. "with o.merge, o.rows or o.first_run > 1, returns every record under o.out/runs. " },
  measures = { "ablation.measures", "The record fields the table shows, as mean ± sd." },
  columns = { "ablation.columns", "The table's columns (report.text / report.markdown)." },
  tabulate = { "ablation.tabulate(records, rows)",
    "One table row per row with records, in rows order: mean ± sd of every measure; "
    .. "second result the records by row name." },
  curves = { "ablation.curves(by, rows)",
    "Mean train and test accuracy by epoch over each row's runs, as plot.lines series." },
  report = { "ablation.report(o, rows, records, {name, title, parts})",
    "Prints the table, draws o.out/curves.png, writes report.md (with each distinct "
    .. "rec.note once) and results.jsonl; returns {records, rows, markdown}." },
  epochs_report = { "ablation.epochs_report(o, hist, {name, title})",
    "Prints one recipe's train and test accuracy by epoch and writes them to report.md and "
    .. "results.jsonl under o.out; returns {rows, history, markdown}." },
  check_augment = { "ablation.check_augment(text)",
    "A cli check for an --augment list (data.parse_augment): raises \"--augment: ...\"." },
  aligned = { "ablation.aligned(a, b)",
    "a, when it holds the same image files as b in the same order (ds.paths); else an "
    .. "error." },
  fit = { "ablation.fit(net, s, {x, y, epochs, lr, batch, rng, test, params})",
    "Trains net with the recipe of the settings s: weight_decay (AdamW, else Adam), "
    .. "full_batch (else minibatches), augment (a list or data.parse_augment text), cosine; "
    .. "returns train.fit's history." },
  pretrain = { "ablation.pretrain(net, ds, s, epochs, {lr, batch, rng, classes})",
    "Trains net on ds for epochs with the recipe s, gives it a new last Linear for classes "
    .. "classes, and returns two parameter groups: the layers below at lr / 10, the "
    .. "classifier at lr." },
  params = { "ablation.params(net)", "The number of parameters of net." },
  inference_ms = { "ablation.inference_ms(net, x)",
    "Milliseconds per image of net:forward(x) in evaluate mode, the median of three passes." },
  measure = { "ablation.measure(net, train, test, rec)",
    "Adds train/test loss and accuracy, params, infer_ms and the test confusion counts to "
    .. "rec; returns rec." },
})

return M
