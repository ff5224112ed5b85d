-- Reproduces the paper's importance pruning (sect. 2.3 and 3.3, Fig. 6-8): trains the
-- (16,32) CNN, then shows the whole pruning curve (conv1's kernels masked in importance
-- order, 0 to all but one) with the point where the rule (train loss moved by more than
-- 0.1) stops; the net keeps that many masked, and they are then removed physically.
-- About 10 minutes with the paper's 700 epochs on 2 cores; --quick under a minute.
local experiment = require "sfew.experiment"
local report = require "sfew.report"
local paper = require "sfew.paper"

local config = { name = "importance_prune", quick = { epochs = 15, limit = 200 } }
local spec = experiment.extend(experiment.common{ epochs = 700, lr = 1e-3,
  out = "reports/importance_prune" }, {
  { "threshold", 0.1, "largest change of the train loss while pruning (the paper's)" },
  { "c1", 16, "conv1 channels", type = "integer" },
  { "c2", 32, "conv2 channels", type = "integer" },
})
local M = { config = config, spec = spec }

local columns = { { "pruned", "Masked kernels" }, { "train_loss", "Train loss", "%.4f" },
  { "train_acc", "Train acc", "%.4f" }, { "test_loss", "Test loss", "%.4f" },
  { "test_acc", "Test acc", "%.4f" }, { "min_importance", "Next importance", "%.4f" },
  { "stop", "Rule" } }

function M.run(opts)
  local o = experiment.options(spec, opts)
  experiment.apply_quick(o, config.quick)
  local sfew = require "sfew"
  local rng = experiment.setup(o)
  local train, test, ds = experiment.faces(o, rng)
  local net = experiment.paper_cnn(o.c1, o.c2, { rng = rng })
  local loss_fn = sfew.nn.CrossEntropyLoss()
  local hist = sfew.train.fit{ net = net, criterion = loss_fn, x = train.x, y = train.y,
    optimizer = sfew.optim.Adam(net:parameters(), { lr = o.lr }), epochs = o.epochs,
    batch = o.batch, rng = rng, test = test, label = config.name,
    eval_every = math.max(1, o.epochs // 7) } -- the paper tabulates every 100 of 700 epochs
  local function measure(m)
    local r = { experiment = config.name, seed = o.seed }
    r.train_loss, r.train_acc = sfew.train.evaluate(m, loss_fn, train.x, train.y)
    r.test_loss, r.test_acc = sfew.train.evaluate(m, loss_fn, test.x, test.y)
    return r
  end
  local curve_net = experiment.clone(net) -- the whole curve, past the rule
  local records = sfew.prune.prune_by_importance(curve_net, 1,
    function() return measure(curve_net) end, { threshold = math.huge })
  local _, masked = sfew.prune.prune_by_importance(net, 1, function() return measure(net) end,
    { threshold = o.threshold })
  for _, r in ipairs(records) do
    r.stop = r.pruned == #masked and "stops here" or nil
    r.within = math.abs(r.train_loss - records[1].train_loss) <= o.threshold
  end
  local final = measure(net)
  io.write(report.text(records, columns))
  local speed, small = experiment.removal_check(net, 1, masked, loss_fn, train, test.x)
  print(("kept %d kernels masked (%s); physical removal changes the outputs by %.2g")
    :format(#masked, table.concat(masked, ","), speed.max_output_diff))
  experiment.plot_pruning(o, records, hist)
  local t0 = records[1]
  local md = table.concat{ experiment.title(o, "Importance pruning"),
    ("After training: train loss %.4f (paper 0.2831), test accuracy %.2f %% (paper 37.87 %%)."
      .. "\n\n"):format(t0.train_loss, 100 * t0.test_acc), report.markdown(records, columns),
    ("\nThe rule keeps %d kernels masked: test loss %.4f, test accuracy %.4f.\n\n## Physical "
      .. "removal (ours)\n\n"):format(#masked, final.test_loss, final.test_acc),
    report.markdown({ speed }, experiment.removal_columns), "\n## Confusion matrix (test)\n\n",
    report.markdown(experiment.confusion(net, test.x, test.y, ds.classes)),
    "\n![pruning](prune.png)\n![training](training.png)\n\n",
    paper.cnn_settings(o, ds.note, ("- Stop rule: train loss moved by more than %g "
      .. "(the paper's)\n"):format(o.threshold)), "\n## Options\n\n", experiment.settings(o) }
  experiment.write(o, config.name, md, records)
  return { records = records, masked = masked, final = final, speed = speed, net = net,
    small = small, history = hist, markdown = md, note = ds.note }
end

return experiment.script(M, spec,
  "usage: sfewlua experiments/importance_prune.lua [options]")
