-- The paper's published numbers and what it does and does not state, for reports that set
-- our results beside the paper's: every setting the paper leaves open is labelled ours.
local M = {}

-- Sect. 3.1 (PIC: loss and smallest angle per hidden units), 2.2 (the channel sweep:
-- train loss, train acc, test loss as printed, test acc), 3.2 (training curve: loss, acc
-- every 100 epochs) and 3.3 (importance pruning: loss, acc, min importance per kernels
-- masked; test loss and accuracy after pruning, as printed).
M.pic = { [9] = { 0.0064, 0.15 }, [8] = { 0.0198, 0.197 }, [7] = { 0.0549, 0.61 },
  [6] = { 0.105, 1.08 }, [5] = { 0.16, 1.76 }, [4] = { 0.32, 9.07 }, [3] = { 0.53, 18.54 },
  [2] = { 0.569, 62.64 }, test_loss = 0.1523 }
M.sweep = { ["16x32"] = { 0.12, 0.9901, 0.12, 0.3669 }, ["12x24"] = { 0.28, 0.9783, 0.28, 0.3328 },
  ["20x40"] = { 0.11, 0.9980, 0.11, 0.3232 }, ["6x12"] = { 0.71, 0.8401, 0.71, 0.2721 } }
M.curve = { [0] = { 1.9478, 0.1660 }, [100] = { 1.8552, 0.2253 }, [200] = { 1.5861, 0.4348 },
  [300] = { 1.1564, 0.6601 }, [400] = { 0.8196, 0.8043 }, [500] = { 0.5781, 0.8913 },
  [600] = { 0.4056, 0.9367 }, [700] = { 0.2831, 0.9704 } }
M.prune = { [0] = { 0.2831, 0.9704, 0.528 }, [1] = { 0.2831, 0.9704, 0.579 },
  [2] = { 0.2831, 0.9704, 0.7116 }, [3] = { 0.3295, 0.9526, 0.7119 },
  [4] = { 0.5569, 0.8182, 0.7413 }, test = { 0.2841, 0.3432 } }
M.trained_train_loss = 0.2831 -- the (16,32) net after 700 epochs (sect. 3.2)
M.trained_test_acc = 0.3787   -- its test accuracy before pruning (sect. 3.3)

-- Footnotes for tables that show the paper's test losses.
M.footnotes = {
  sweep = "The paper's test-loss column is printed exactly equal to its train-loss column "
    .. "(0.12, 0.28, 0.11, 0.71), most likely a copied row: it is shown as printed, not as "
    .. "a measured test loss.",
  prune = "The paper's test loss after pruning, 0.2841, cannot be a mean cross-entropy at "
    .. "34.32 % test accuracy: a misclassified image costs at least ln 2, so the mean is at "
    .. "least (1 - 0.3432) x 0.693 = 0.455. It is shown as printed.",
}

local function yes(v, ours, paper) return v and ours or paper end

-- The PIC settings in words, the paper's and ours told apart.
function M.pic_settings(o, data_note, heading)
  return table.concat{ heading or "## Settings\n\n",
    "- Data: ", data_note, "\n",
    ("- Network: N -> %d sigmoid hidden units -> N linear outputs, mean squared error "
      .. "(the paper's)\n"):format(o.hidden),
    "- Inputs: ", yes(o.standardize, "each column z-scored with the training part's mean "
      .. "and deviation (ours)", "the columns as read (the paper's)"), o.patches and "" or
      yes(o.label, ", the label column among them (the paper's)", ", without the label "
        .. "column (ours)"), "\n",
    "- Angles: between the hidden units' sigmoid outputs over the training rows, ",
    o.center == 0 and "raw, centre 0 (the paper's)" or ("centred at %g (%s)"):format(
      o.center, o.center == 0.5 and "Gedeon and Harris' refinement, not the paper's" or "ours"),
    "\n", ("- Threshold rule: similar under %g, complementary over %g degrees (the paper's); "
      .. "%s\n"):format(o.similar, o.complementary, o.rule == "gedeon" and "both units of a "
      .. "complementary pair removed (Gedeon and Harris)" or "one unit of a complementary pair "
      .. "folded into the other"),
    ("- Training: Adam, learning rate %g, %d epochs, %s, 80/20 split (ours: the paper does "
      .. "not state them)\n"):format(o.lr, o.epochs, o.batch and ("batch " .. o.batch)
      or "full batch"),
    ("- Runs: %d (seeds %d..%d), mean ± sample standard deviation (the paper averaged 5)\n")
      :format(o.runs, o.seed, o.seed + o.runs - 1) }
end

-- What the CNN sections ran with, in words.
function M.cnn_settings(o, data_note, extra, heading)
  return table.concat{ heading or "## Settings\n\n", "- Data: ", data_note, "\n",
    "- Network: the paper's (Fig. 1); 5 x 5 kernels and ReLU are ours (the paper does "
      .. "not state them)\n",
    ("- Training: Adam and cross-entropy (the paper's); %d epochs (%s); learning rate %g "
      .. "and %s (ours: the paper does not state them)\n"):format(o.epochs, o.epochs == 700
      and "the paper's" or "ours; the paper trains 700", o.lr, o.batch and ("batch " .. o.batch)
      or "full batch"),
    ("- Runs: %d (seeds from %d); split 80/20, pixels standardised with the training "
      .. "part's mean and deviation (ours)\n"):format(o.runs or 1, o.seed), extra or "" }
end

local function f(v, fmt) return v and (fmt or "%.4f"):format(v) or "" end

-- The data and epochs a section ran with, for the line under its heading.
local function ran_on(note, epochs, runs)
  return ("Ran on %s; %d epochs; %d run%s.\n\n"):format(note, epochs, runs,
    runs == 1 and "" or "s")
end

-- Markdown sections of the combined report, each setting ours beside the paper's.
-- r: what the experiment's run() returned; o: its options.
function M.pic_section(r, o, report)
  local rows = {}
  for _, row in ipairs(r.rows) do
    local p = M.pic[row.units] or {}
    rows[#rows + 1] = { units = row.units, loss = row.train_loss, ploss = f(p[1]),
      angle = row.min_angle, pangle = f(p[2], "%.2f") }
  end
  local t = r.threshold
  return "## PIC pruning (sect. 3.1, Fig. 4)\n\n" .. ran_on(r.runs[1].note, o.epochs, o.runs)
    .. report.markdown(rows, { { "units", "Units" }, { "loss", "Train loss (ours)" },
      { "ploss", "paper" }, { "angle", "Min angle (ours)" }, { "pangle", "paper" } })
    .. ("\nThreshold rule: %s units removed, test loss %s; paper: test loss %.4f after "
      .. "pruning.\n\n![pic](pic/pic.png)\n\n"):format(t.removed, t.test_loss, M.pic.test_loss)
    .. M.pic_settings(o, r.runs[1].note, "### Settings\n\n") .. "\n"
end

function M.sweep_section(r, o, report)
  local rows = {}
  for _, row in ipairs(r.rows) do
    local p = M.sweep[row.combo] or {}
    rows[#rows + 1] = { combo = row.combo, tl = row.train_loss, ptl = f(p[1], "%.2f"),
      ta = row.train_acc, pta = f(p[2]), sl = row.test_loss, psl = f(p[3], "%.2f"),
      sa = row.test_acc, psa = f(p[4]) }
  end
  return "## Channel sweep (sect. 2.2)\n\n" .. ran_on(r.note, o.epochs, o.runs)
    .. report.markdown(rows, { { "combo", "C1xC2" }, { "tl", "Train loss" },
      { "ptl", "paper" }, { "ta", "Train acc" }, { "pta", "paper" }, { "sl", "Test loss" },
      { "psl", "paper (as printed)¹" }, { "sa", "Test acc" }, { "psa", "paper" } })
    .. "\n¹ " .. M.footnotes.sweep .. "\n\n"
    .. M.cnn_settings(o, r.note, nil, "### Settings\n\n") .. "\n"
end

function M.prune_section(r, o, report)
  local curve = {}
  for _, e in ipairs(r.history.eval) do
    local p = M.curve[e.epoch] or {}
    curve[#curve + 1] = { epoch = e.epoch, loss = f(e.train_loss), ploss = f(p[1]),
      acc = f(e.train_acc), pacc = f(p[2]) }
  end
  local rows = {}
  for _, row in ipairs(r.rows) do
    local p = M.prune[row.pruned] or {}
    rows[#rows + 1] = { pruned = row.pruned, loss = row.train_loss, ploss = f(p[1]),
      acc = row.train_acc, pacc = f(p[2]), imp = row.min_importance, pimp = f(p[3]),
      stop = row.stop }
  end
  local pt, s, t0 = M.prune.test, r.speed, r.rows[1]
  return "## Training the (16,32) network (sect. 3.2)\n\n" .. ran_on(r.note, o.epochs, o.runs)
    .. report.markdown(curve, { { "epoch", "Epoch" }, { "loss", "Train loss" },
      { "ploss", "paper" }, { "acc", "Train acc" }, { "pacc", "paper" } })
    .. ("\nThe training curve is run 1's. After training: test accuracy %s (paper 0.3787), "
      .. "train loss %s (paper 0.2831).\n\n![training](importance_prune/training.png)\n\n")
      :format(t0.test_acc, t0.train_loss)
    .. "## Importance pruning (sect. 3.3)\n\n"
    .. report.markdown(rows, { { "pruned", "Masked" }, { "loss", "Train loss" },
      { "ploss", "paper" }, { "acc", "Train acc" }, { "pacc", "paper" },
      { "imp", "Next importance" }, { "pimp", "paper" }, { "stop", "Rule stops" } })
    .. ("\nAfter pruning (run 1): test loss %.4f (paper, as printed: %.4f²), test accuracy %.4f "
      .. "(paper %.4f).\nPhysical removal of the %d masked channels (ours): outputs change by "
      .. "at most %.2g; a training epoch %.3f s -> %.3f s, inference %.3f s -> %.3f s.\n\n"
      .. "² %s\n\n![pruning](importance_prune/prune.png)\n\n"):format(r.final.test_loss,
      pt[1], r.final.test_acc, pt[2], s.removed, s.max_output_diff, s.epoch_seconds,
      s.epoch_seconds_pruned, s.inference_seconds, s.inference_seconds_pruned,
      M.footnotes.prune)
    .. M.cnn_settings(o, r.note, ("- Stop rule: train loss moved by more than %g (the "
      .. "paper's)\n"):format(o.threshold), "### Settings\n\n") .. "\n"
end

-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "sfew.paper", "The paper's published numbers and settings, for reports.")
doc.table(M, {
  pic = { "paper.pic", "Sect. 3.1: [hidden units] = {loss, smallest angle}." },
  sweep = { "paper.sweep",
    "Sect. 2.2: [\"C1xC2\"] = {train loss, train acc, test loss as printed, test acc}." },
  curve = { "paper.curve", "Sect. 3.2: [epoch] = {loss, accuracy} every 100 epochs." },
  prune = { "paper.prune",
    "Sect. 3.3: [kernels masked] = {loss, accuracy, min importance}; .test after pruning." },
  trained_train_loss = { "paper.trained_train_loss",
    "Train loss of the (16,32) net after 700 epochs (sect. 3.2)." },
  trained_test_acc = { "paper.trained_test_acc",
    "Test accuracy of that net before pruning (sect. 3.3)." },
  footnotes = { "paper.footnotes", "Footnotes for tables that show the paper's test losses." },
  pic_settings = { "paper.pic_settings(o, data_note, heading)",
    "The PIC settings in Markdown, the paper's and ours told apart." },
  cnn_settings = { "paper.cnn_settings(o, data_note, extra, heading)",
    "The CNN sections' settings in Markdown, the paper's and ours told apart." },
  pic_section = { "paper.pic_section(r, o, report)",
    "Markdown of the PIC results beside the paper's (r: experiments.pic.run's result)." },
  sweep_section = { "paper.sweep_section(r, o, report)",
    "Markdown of the channel sweep beside the paper's." },
  prune_section = { "paper.prune_section(r, o, report)",
    "Markdown of importance pruning beside the paper's." },
})

return M
