-- Reproduces the paper's importance pruning (sect. 2.3 and 3.3, Fig. 6-8): trains the
-- (16,32) CNN, then shows the whole pruning curve (conv1's kernels masked in importance
-- order, 0 to all but one) with the point where the rule (train loss moved by more than
-- 0.1) stops; the net keeps that many masked, and they are then removed physically.
-- About 10 minutes a run with the paper's 700 epochs on 2 cores; --quick under a minute.
local experiment = require "sfew.experiment"
local report = require "sfew.report"

local config = { name = "importance_prune", quick = { epochs = 15, limit = 200 } }
local spec = experiment.extend(experiment.common{ epochs = 700, lr = 1e-3,
  out = "reports/importance_prune" }, {
  { "threshold", 0.1, "largest change of the train loss while pruning (the paper's)" },
  { "c1", 16, "conv1 channels", type = "integer" },
  { "c2", 32, "conv2 channels", type = "integer" },
})
local M = { config = config, spec = spec }

local fields = { "train_loss", "train_acc", "test_loss", "test_acc", "min_importance" }
local columns = { { "pruned", "Masked kernels" }, { "runs", "Runs" },
  { "train_loss", "Train loss" },
  { "train_acc", "Train acc" }, { "test_loss", "Test loss" }, { "test_acc", "Test acc" },
  { "min_importance", "Next importance" }, { "stop", "Rule stops" } }

local function one_run(o, rng, seed)
  local sfew = require "sfew"
  local train, test, ds = experiment.faces(o, rng)
  local net, loss_fn, hist = experiment.train_cnn(o, o.c1, o.c2, rng, train, { test = test,
    label = config.name, eval_every = math.max(1, o.epochs // 7) }) -- the paper: every 100 of 700
  local function measure(m)
    return experiment.measure(m, loss_fn, train, test, { experiment = config.name, seed = seed })
  end
  local curve_net = net:clone() -- the whole curve, past the rule
  local records = sfew.prune.prune_by_importance(curve_net, 1,
    function() return measure(curve_net) end, { threshold = math.huge })
  local _, masked = sfew.prune.prune_by_importance(net, 1, function() return measure(net) end,
    { threshold = o.threshold })
  for _, r in ipairs(records) do r.stop = r.pruned == #masked or nil end
  local speed, small = experiment.removal_check(net, 1, masked, loss_fn, train, test.x)
  return { records = records, masked = masked, final = measure(net), speed = speed, net = net,
    small = small, history = hist, ds = ds, test = test }
end

function M.run(opts)
  local o = experiment.options(spec, opts)
  experiment.apply_quick(o, config.quick)
  local runs = experiment.each_run(o, function(rng, seed) return one_run(o, rng, seed) end)
  local records, r1 = experiment.concat(runs, "records"), runs[1]
  local rows = report.group_stats(records, "pruned", fields, { key = "pruned" })
  for _, row in ipairs(rows) do
    local n = 0
    for _, r in ipairs(records) do if r.pruned == row.pruned and r.stop then n = n + 1 end end
    row.stop = n > 0 and (o.runs == 1 and "here" or ("%d of %d runs"):format(n, o.runs)) or nil
  end
  io.write(report.text(rows, columns))
  print(("run 1 keeps %d kernels masked (%s); physical removal changes the outputs by %.2g")
    :format(#r1.masked, table.concat(r1.masked, ","), r1.speed.max_output_diff))
  experiment.plot_pruning(o, rows, r1.history)
  local md = table.concat{ experiment.title(o, "Importance pruning"),
    ("After training: train loss %s (paper 0.2831), test accuracy %s (paper 0.3787).\n\n")
      :format(rows[1].train_loss, rows[1].test_acc), report.markdown(rows, columns),
    ("\nRun 1 keeps %d kernels masked: test loss %.4f, test accuracy %.4f.\n\n## Physical "
      .. "removal, run 1 (ours)\n\n"):format(#r1.masked, r1.final.test_loss, r1.final.test_acc),
    report.markdown({ r1.speed }, experiment.removal_columns), "\n## Confusion matrix, run 1 "
      .. "(test)\n\n", report.markdown(experiment.confusion(r1.net, r1.test.x, r1.test.y,
        r1.ds.classes)), "\n![pruning](prune.png)\n![training](training.png)\n\n",
    require("sfew.paper").cnn_settings(o, r1.ds.note, ("- Stop rule: train loss moved by more "
      .. "than %g (the paper's)\n"):format(o.threshold)), "\n## Options\n\n",
    experiment.settings(o) }
  experiment.write(o, config.name, md, records)
  return { records = records, rows = rows, runs = runs, masked = r1.masked, final = r1.final,
    speed = r1.speed, net = r1.net, small = r1.small, history = r1.history, markdown = md,
    note = r1.ds.note }
end

local doc = require "sfew.doc"
doc.register(M, "experiments.importance_prune",
  "The paper's importance pruning of conv1 (sect. 3.3).")
doc.table(M, {
  run = { "require(\"experiments.importance_prune\").run{epochs = 700, lr = 1e-3, "
    .. "threshold = 0.1, runs = 1, data, seed = 1, batch, threads, out, quick, limit}",
    "Trains the (16,32) CNN and masks conv1's kernels in importance order; returns {records, "
    .. "rows, runs, masked, final, speed, net, small, history, markdown, note}." },
  config = { "experiments.importance_prune.config", "Name and --quick settings." },
  spec = { "experiments.importance_prune.spec",
    "The command-line options of importance_prune.lua." },
})

return experiment.script(M, spec,
  "usage: sfewlua experiments/importance_prune.lua [options]")
