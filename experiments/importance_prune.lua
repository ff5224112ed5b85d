-- Reproduces the paper's importance pruning (sect. 2.3 and 3.3, Fig. 6-8): trains the
-- (16,32) CNN, masks the least important conv1 kernel one at a time until the train loss
-- moves by more than 0.1, then removes the pruned channels physically and measures the
-- speed-up. About 10 minutes with the paper's 700 epochs on 2 cores; --quick under a minute.
local experiment = require "sfew.experiment"
local report = require "sfew.report"
local plot = require "sfew.plot"

local config = {
  name = "importance_prune",
  c1 = 16, c2 = 32, -- the paper's chosen combination (1)
  threshold = 0.1,  -- stop when the train loss has moved by more than this
  quick = { epochs = 15, limit = 200 },
}
local spec = experiment.extend(experiment.common{ epochs = 700, lr = 1e-3,
  out = "reports/importance_prune" }, {
  { "threshold", config.threshold, "largest change of the train loss while pruning" },
  { "c1", config.c1, "conv1 channels", type = "integer" },
  { "c2", config.c2, "conv2 channels", type = "integer" },
})

local M = { config = config, spec = spec }

local columns = {
  { "pruned", "Pruned kernels" }, { "train_loss", "Train loss", "%.4f" },
  { "train_acc", "Train acc", "%.4f" }, { "test_loss", "Test loss", "%.4f" },
  { "test_acc", "Test acc", "%.4f" }, { "min_importance", "Min importance", "%.4f" },
}

function M.run(opts)
  local o = experiment.options(spec, opts)
  experiment.apply_quick(o, config.quick)
  local sfew = require "sfew"
  local rng = experiment.setup(o)
  local train, test, ds = experiment.faces(o, rng)
  local net = experiment.paper_cnn(o.c1, o.c2, { rng = rng })
  local loss_fn = sfew.nn.CrossEntropyLoss()
  local opt = sfew.optim.Adam(net:parameters(), { lr = o.lr })
  local hist = sfew.train.fit{ net = net, criterion = loss_fn, optimizer = opt, x = train.x,
    y = train.y, epochs = o.epochs, batch = o.batch, rng = rng, test = test,
    eval_every = math.max(1, o.epochs // 7), -- the paper tabulates every 100 of 700 epochs
    label = "importance_prune" }
  local function measure()
    local r = { experiment = config.name }
    r.train_loss, r.train_acc = sfew.train.evaluate(net, loss_fn, train.x, train.y)
    r.test_loss, r.test_acc = sfew.train.evaluate(net, loss_fn, test.x, test.y)
    return r
  end
  local records, masked = sfew.prune.prune_by_importance(net, 1, measure,
    { threshold = o.threshold })
  local final = measure()
  io.write(report.text(records, columns))
  print(("kept %d pruned kernels (%s): train loss %.4f, test loss %.4f, test accuracy %.4f")
    :format(#masked, table.concat(masked, ","), final.train_loss, final.test_loss, final.test_acc))
  -- Beyond the paper: take the pruned channels out and check nothing changed.
  net:evaluate()
  local before = net:forward(test.x):clone()
  local t_step, t_inf = experiment.time_net(net, loss_fn, train.x, train.y, 3)
  local small = experiment.clone(net)
  sfew.prune.remove_channels(small, 1, masked)
  small:evaluate()
  local diff = (small:forward(test.x) - before)
  local max_diff = math.max(diff:max(), -diff:min())
  local s_step, s_inf = experiment.time_net(small, loss_fn, train.x, train.y, 3)
  local speed = { experiment = config.name, removed = #masked, max_output_diff = max_diff,
    epoch_seconds = t_step, epoch_seconds_pruned = s_step, inference_seconds = t_inf,
    inference_seconds_pruned = s_inf }
  print(("physical removal: outputs differ by %.2g; epoch %.3f s -> %.3f s, inference %.3f s"
    .. " -> %.3f s"):format(max_diff, t_step, s_step, t_inf, s_inf))
  local conf_rows, conf_cols = experiment.confusion(net, test.x, test.y, ds.classes)
  if o.out then
    local xs, loss, acc, imp = {}, {}, {}, {}
    for i, r in ipairs(records) do
      xs[i], loss[i], acc[i], imp[i] = r.pruned, r.train_loss, r.train_acc, r.min_importance
    end
    plot.lines{ path = o.out .. "/prune.png", title = "Importance pruning of conv1",
      xlabel = "pruned kernels", integer_x = true, ylabel = "train loss / accuracy",
      y2label = "min importance",
      series = { { title = "train loss", x = xs, y = loss }, { title = "train accuracy", x = xs,
        y = acc }, { title = "min importance", x = xs, y = imp, axis = "y2" } } }
    local ep, tl = {}, {}
    for i, e in ipairs(hist.eval) do ep[i], tl[i] = e.epoch, e.train_loss end
    plot.lines{ path = o.out .. "/training.png", title = "Training of the (16,32) network",
      xlabel = "epoch", ylabel = "train loss", series = { { title = "train loss", x = ep,
        y = tl } } }
  end
  local md = table.concat{ "# Importance pruning\n\n", report.markdown(records, columns),
    ("\nAfter pruning %d kernels: test loss %.4f, test accuracy %.4f.\n\n"):format(#masked,
      final.test_loss, final.test_acc),
    "## Physical removal\n\n", report.markdown({ speed }, { { "removed", "Removed" },
      { "max_output_diff", "Max output change", "%.2g" }, { "epoch_seconds", "Epoch s", "%.3f" },
      { "epoch_seconds_pruned", "Epoch s, pruned", "%.3f" },
      { "inference_seconds", "Inference s", "%.3f" },
      { "inference_seconds_pruned", "Inference s, pruned", "%.3f" } }),
    "\n## Confusion matrix (test)\n\n", report.markdown(conf_rows, conf_cols),
    "\n![pruning](prune.png)\n![training](training.png)\n\n## Settings\n\n",
    experiment.settings(o) }
  experiment.write(o, config.name, md, records)
  return { records = records, masked = masked, final = final, speed = speed, net = net,
    small = small, history = hist, markdown = md }
end

return experiment.script(M, spec,
  "usage: sfewlua experiments/importance_prune.lua [options]")
