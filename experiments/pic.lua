-- Reproduces the paper's PIC pruning (sect. 2.1 and 3.1, Fig. 4): an N -> 10 -> N sigmoid
-- autoencoder on the SFEW feature table, hidden units pruned one at a time by the angles
-- between their outputs down to 2, then the 15/165-degree threshold rule; mean and spread
-- over --runs seeds. About 2 seconds a run on 2 cores; --quick under a second.
local experiment = require "sfew.experiment"
local report = require "sfew.report"

local config = { name = "pic", quick = { epochs = 300, runs = 1 }, patch_count = 2000 }
local spec = experiment.extend(experiment.common{ epochs = 3000, lr = 1e-2, runs = 5,
  out = "reports/pic" }, {
  { "hidden", 10, "hidden units", type = "integer" },
  { "label", true, "feed the label column as an input, as the paper did (--no-label: not)" },
  { "standardize", false, "z-score the columns with the training part's statistics" },
  { "center", 0, "centre of the sigmoid outputs for the angles (0.5: Gedeon and Harris)" },
  { "similar", 15, "angle (degrees) under which two units are similar" },
  { "complementary", 165, "angle over which two units are complementary" },
  { "rule", "paper", "complementary pairs: paper (fold one into the other) or gedeon (drop both)" },
  { "retrain", 0, "epochs of retraining after each removal", type = "integer" },
  { "patches", nil, "train on K x K patches of the face images instead", type = "integer" },
})
local M = { config = config, spec = spec }

local function one_run(o, rng, seed)
  local sfew = require "sfew"
  local nn, prune, evaluate = sfew.nn, sfew.prune, sfew.train.evaluate
  local train, test, note = experiment.feature_table(o, rng, config.patch_count)
  local n = train:size(2)
  local net = nn.Sequential{ nn.Linear(n, o.hidden, { rng = rng }), nn.Sigmoid(),
    nn.Linear(o.hidden, n, { rng = rng }) }
  local mse, records = nn.MSELoss(), {}
  local function fit(m, epochs)
    return experiment.fit(o, m, mse, train, train, rng, { epochs = epochs,
      progress = epochs >= 100, label = "pic", eval_initial = false })
  end
  fit(net, o.epochs)
  local function measure(m, rec) -- appends to records
    rec.experiment, rec.seed = config.name, seed
    rec.train_loss, rec.test_loss = evaluate(m, mse, train, train), evaluate(m, mse, test, test)
    local angles, dead = prune.hidden_angles(m, train, { center = o.center })
    rec.units, rec.min_angle = angles:size(1), prune.min_angle(angles, dead)
    records[#records + 1] = rec
    return rec
  end
  local p = net:clone()
  while true do -- progressive: the most alike pair (or a dead unit) goes, down to 2 units
    local rec = measure(p, {})
    if rec.units <= 2 then break end
    rec.action = prune.pic_step(p, train, { center = o.center }).action
    if o.retrain > 0 then fit(p, o.retrain) end
  end
  local t = net:clone()
  local log = prune.distinctiveness(t, train, { similar = o.similar, center = o.center,
    complementary = o.complementary, rule = o.rule })
  measure(t, { mode = "threshold", removed = #log })
  return { records = records, net = net, pruned = p, thresholded = t, log = log, note = note }
end

local cols = { { "units", "Units" }, { "runs", "Runs" }, { "train_loss", "Train loss" },
  { "test_loss", "Test loss" }, { "min_angle", "Min angle (degrees)", "%.2f" } }
local tcols = { { "removed", "Units removed", "%.2g" }, { "units", "Units left", "%.2g" },
  { "train_loss", "Train loss" }, { "test_loss", "Test loss" } }

function M.run(opts)
  local o = experiment.options(spec, opts, config.quick)
  local runs, records = experiment.each_run(o, function(...) return one_run(o, ...) end)
  local rows = report.group_stats(records, function(r) return not r.mode and r.units or nil end,
    cols, { key = "units" })
  local trows = report.group_stats(records, "mode", tcols, { key = "mode" })
  io.write(report.text(rows, cols), report.text(trows, tcols))
  experiment.plot(o, "pic.png", "two_axes", { rows = rows, reverse_x = true,
    title = "PIC pruning (mean of the runs)", x = { "units", "hidden units" },
    y = { "train_loss_mean", "train loss (MSE)" }, y2 = { "min_angle_mean", "min angle" } })
  local md = experiment.finish(o, config.name, "PIC pruning", { report.markdown(rows, cols),
    ("\nThreshold rule (%g / %g degrees, %s):\n\n"):format(o.similar, o.complementary, o.rule),
    report.markdown(trows, tcols), "\n![pic](pic.png)\n\n",
    require("sfew.paper").pic_settings(o, runs[1].note) }, records)
  return experiment.results(runs, { rows = rows, threshold = trows[1], markdown = md })
end

local doc = require "sfew.doc"
doc.register(M, "experiments.pic", "The paper's PIC pruning of an autoencoder (sect. 3.1).")
doc.table(M, {
  run = { "require(\"experiments.pic\").run{epochs = 3000, lr = 1e-2, runs = 5, hidden = 10, "
    .. "label = true, standardize = false, center = 0, similar = 15, complementary = 165, "
    .. "rule = \"paper\", retrain = 0, patches, data, seed = 1, batch, threads, out, quick, limit}",
    "PIC pruning of the N -> hidden -> N sigmoid autoencoder; returns {records, rows, "
    .. "threshold, runs, net, pruned, thresholded, log, markdown}. ", ""
    .. "require(\"experiments.pic\").run{quick = true}" },
  config = { "experiments.pic.config", "Name, --quick settings and patch count." },
  spec = { "experiments.pic.spec", "The command-line options (sfew.cli spec) of pic.lua." },
})

return experiment.script(M, spec, "usage: sfewlua experiments/pic.lua [options]")
