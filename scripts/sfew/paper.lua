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
function M.pic_settings(o, data_note)
  return table.concat{ "## Settings\n\n",
    "- Data: ", data_note, "\n",
    ("- Network: N -> %d sigmoid hidden units -> N linear outputs, mean squared error "
      .. "(the paper's)\n"):format(o.hidden),
    "- Inputs: ", yes(o.standardize, "each column z-scored with the training part's mean "
      .. "and deviation (ours)", "the columns as read (the paper's)"), "\n",
    "- Angles: between the hidden units' sigmoid outputs over the training rows, ",
    o.center == 0 and "raw, centre 0 (the paper's)" or ("centred at %g (%s)"):format(
      o.center, o.center == 0.5 and "Gedeon and Harris' refinement, not the paper's" or "ours"),
    "\n", ("- Threshold rule: similar under %g, complementary over %g degrees (the paper's); "
      .. "complementary pairs handled by the %s rule\n"):format(o.similar, o.complementary,
      o.rule),
    ("- Training: Adam, learning rate %g, %d epochs, %s, 80/20 split (ours: the paper does "
      .. "not state them)\n"):format(o.lr, o.epochs, o.batch and ("batch " .. o.batch)
      or "full batch"),
    ("- Runs: %d (seeds %d..%d), mean ± sample standard deviation (the paper averaged 5)\n")
      :format(o.runs, o.seed, o.seed + o.runs - 1) }
end

-- What the CNN sections ran with, in words.
function M.cnn_settings(o, data_note, extra)
  return table.concat{ "## Settings\n\n", "- Data: ", data_note, "\n",
    "- Network: the paper's (Fig. 1); 5 x 5 kernels and ReLU are ours (the paper does "
      .. "not state them)\n",
    ("- Training: Adam (the paper's), learning rate %g, %s, %d epochs (the epochs are the "
      .. "paper's; learning rate and batch are ours)\n"):format(o.lr, o.batch and
      ("batch " .. o.batch) or "full batch", o.epochs),
    ("- Runs: %d (seeds from %d); split 80/20, pixels standardised with the training "
      .. "part's mean and deviation (ours)\n"):format(o.runs or 1, o.seed), extra or "" }
end

return M
