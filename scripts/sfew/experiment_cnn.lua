-- sfew.experiment's CNN half: the paper's network, training and timing it, confusion
-- matrices, and the physical-removal check and plots of the pruning experiments.
-- Installed into sfew.experiment by experiment.lua.
local doc = require "sfew.doc"
local models = require "sfew.models"
local report = require "sfew.report"
local trainer = require "sfew.train"

return function(M)
  -- Confusion matrix of net on (x, y): counts[true][predicted], k classes.
  function M.confusion_matrix(net, x, y, k)
    return trainer.confusion(net, x, y, k).counts
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
    local small = net:clone()
    prune.remove_channels(small, layer, masked)
    small:evaluate()
    local diff = small:forward(x) - before
    local s_step, s_inf = M.time_net(small, criterion, train.x, train.y, 3)
    return { removed = #masked, max_output_diff = math.max(diff:max(), -diff:min()),
      epoch_seconds = t_step, epoch_seconds_pruned = s_step, inference_seconds = t_inf,
      inference_seconds_pruned = s_inf }, small
  end

  M.removal_columns = { { "removed", "Removed" },
    { "max_output_diff", "Max output change", "%.2g" },
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
    local c = net:clone()
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

  doc.table(M, {
    fit = { "experiment.fit(o, net, criterion, x, y, rng, fit)",
      "Trains net with Adam at o.lr for o.epochs (o.batch: minibatch size); fit: further "
      .. "train.fit options. Returns train.fit's history." },
    confusion_matrix = { "experiment.confusion_matrix(net, x, y, k)",
      "Counts [true class][predicted class] of net on (x, y), k classes." },
    confusion_table = { "experiment.confusion_table(matrices, classes)",
      "Rows and columns (for report.text/markdown) of the summed matrices with per-class "
      .. "accuracy." },
    confusion = { "experiment.confusion(net, x, y, classes)",
      "Rows and columns of net's confusion matrix on (x, y) with per-class accuracy." },
    confusions = { "experiment.confusions(rows, records, key, group_of)",
      "Markdown: per table row, the test confusion summed over the records of its group." },
    paper_cnn = { "experiment.paper_cnn(c1, c2 [, opts])", "Same as models.paper_cnn." },
    removal_check = { "experiment.removal_check(net, layer, masked, criterion, train, x)",
      "Removes the masked kernels of net[layer] from a copy, checks the outputs on x and times "
      .. "both; a record and the smaller net." },
    removal_columns = { "experiment.removal_columns", "Report columns of removal_check's record." },
    plot_pruning = { "experiment.plot_pruning(o, rows, hist)",
      "prune.png and training.png under o.out (needs gnuplot)." },
    train_cnn = { "experiment.train_cnn(o, c1, c2, rng, train [, fit_opts])",
      "The paper's CNN trained with Adam and cross-entropy by train.fit; net, criterion, "
      .. "history." },
    measure = { "experiment.measure(net, criterion, train, test [, rec])",
      "rec with train and test loss and accuracy filled in." },
    time_net = { "experiment.time_net(net, criterion, x, y, reps)",
      "Median seconds of a training step (on a copy) and of an inference pass." },
  })
end
