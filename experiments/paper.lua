-- Runs the paper's three experiments (PIC pruning, the channel sweep, importance pruning)
-- and writes one report, reports/paper.md, with every table beside the paper's numbers.
-- About 2 hours with the paper's settings on 2 cores; --quick a few minutes.
local experiment = require "sfew.experiment"
local report = require "sfew.report"

local spec = experiment.extend(experiment.common{ out = "reports" }, {
  { "only", "pic,channel_sweep,importance_prune", "experiments to run, comma-separated" },
})
local M = { spec = spec }

-- The paper's own numbers (sect. 3.1, 2.2, 3.2 and 3.3).
local paper = {
  pic = { [9] = { 0.0064, 0.15 }, [8] = { 0.0198, 0.197 }, [7] = { 0.0549, 0.61 },
    [6] = { 0.105, 1.08 }, [5] = { 0.16, 1.76 }, [4] = { 0.32, 9.07 }, [3] = { 0.53, 18.54 },
    [2] = { 0.569, 62.64 }, test_loss = 0.1523 },
  sweep = { ["16x32"] = { 0.12, 0.9901, 0.12, 0.3669 }, ["12x24"] = { 0.28, 0.9783, 0.28, 0.3328 },
    ["20x40"] = { 0.11, 0.9980, 0.11, 0.3232 }, ["6x12"] = { 0.71, 0.8401, 0.71, 0.2721 } },
  curve = { [0] = { 1.9478, 0.1660 }, [100] = { 1.8552, 0.2253 }, [200] = { 1.5861, 0.4348 },
    [300] = { 1.1564, 0.6601 }, [400] = { 0.8196, 0.8043 }, [500] = { 0.5781, 0.8913 },
    [600] = { 0.4056, 0.9367 }, [700] = { 0.2831, 0.9704 } },
  prune = { [0] = { 0.2831, 0.9704, 0.528 }, [1] = { 0.2831, 0.9704, 0.579 },
    [2] = { 0.2831, 0.9704, 0.7116 }, [3] = { 0.3295, 0.9526, 0.7119 },
    [4] = { 0.5569, 0.8182, 0.7413 }, test = { 0.2841, 0.3432 } },
}

local function f(v, fmt) return v and (fmt or "%.4f"):format(v) or "" end

local function pic_section(r)
  local rows = {}
  for _, rec in ipairs(r.records) do
    if not rec.mode then
      local p = paper.pic[rec.units] or {}
      rows[#rows + 1] = { units = rec.units, loss = f(rec.train_loss), ploss = f(p[1]),
        angle = f(rec.min_angle, "%.2f"), pangle = f(p[2], "%.2f") }
    end
  end
  return "## PIC pruning (sect. 3.1, Fig. 4)\n\n" .. report.markdown(rows, {
    { "units", "Units" }, { "loss", "Loss (ours)" }, { "ploss", "Loss (paper)" },
    { "angle", "Min angle (ours)" }, { "pangle", "Min angle (paper)" } }) ..
    ("\nTest loss after pruning: ours %.4f at %d units (threshold rule), paper %.4f.\n\n"
      .. "![pic](pic/pic.png)\n\n"):format(r.threshold.test_loss, r.threshold.units,
        paper.pic.test_loss)
end

local function sweep_section(r)
  local rows = {}
  for _, row in ipairs(r.rows) do
    local p = paper.sweep[row.combo] or {}
    rows[#rows + 1] = { combo = row.combo, tl = row.train_loss, ptl = f(p[1], "%.2f"),
      ta = row.train_acc, pta = f(p[2]), sl = row.test_loss, psl = f(p[3], "%.2f"),
      sa = row.test_acc, psa = f(p[4]) }
  end
  return "## Channel sweep (sect. 2.2)\n\n" .. report.markdown(rows, {
    { "combo", "C1xC2" }, { "tl", "Train loss" }, { "ptl", "paper" }, { "ta", "Train acc" },
    { "pta", "paper" }, { "sl", "Test loss" }, { "psl", "paper" }, { "sa", "Test acc" },
    { "psa", "paper" } }) .. "\n"
end

local function prune_section(r)
  local curve = {}
  for _, e in ipairs(r.history.eval) do
    local p = paper.curve[e.epoch] or {}
    curve[#curve + 1] = { epoch = e.epoch, loss = f(e.train_loss), ploss = f(p[1]),
      acc = f(e.train_acc), pacc = f(p[2]) }
  end
  local rows = {}
  for _, rec in ipairs(r.records) do
    local p = paper.prune[rec.pruned] or {}
    rows[#rows + 1] = { pruned = rec.pruned, loss = f(rec.train_loss), ploss = f(p[1]),
      acc = f(rec.train_acc), pacc = f(p[2]), imp = f(rec.min_importance), pimp = f(p[3]) }
  end
  local pt = paper.prune.test
  return "## Training the (16,32) network (sect. 3.2)\n\n" .. report.markdown(curve, {
    { "epoch", "Epoch" }, { "loss", "Train loss" }, { "ploss", "paper" },
    { "acc", "Train acc" }, { "pacc", "paper" } }) ..
    "\n![training](importance_prune/training.png)\n\n## Importance pruning (sect. 3.3)\n\n" ..
    report.markdown(rows, { { "pruned", "Pruned" }, { "loss", "Train loss" },
      { "ploss", "paper" }, { "acc", "Train acc" }, { "pacc", "paper" },
      { "imp", "Min importance" }, { "pimp", "paper" } }) ..
    ("\nAfter pruning: test loss %.4f (paper %.4f), test accuracy %.4f (paper %.4f).\n"
      .. "Physical removal of the %d pruned channels: outputs change by at most %.2g; "
      .. "a training epoch %.3f s -> %.3f s, inference %.3f s -> %.3f s.\n\n"
      .. "![pruning](importance_prune/prune.png)\n\n"):format(r.final.test_loss, pt[1],
      r.final.test_acc, pt[2], r.speed.removed, r.speed.max_output_diff,
      r.speed.epoch_seconds, r.speed.epoch_seconds_pruned, r.speed.inference_seconds,
      r.speed.inference_seconds_pruned)
end

function M.run(opts)
  local o = experiment.options(spec, opts)
  local out = o.out or "reports"
  report.mkdir(out)
  local want, parts = {}, { "# The paper, reproduced\n\n" }
  for name in o.only:gmatch("[%w_]+") do want[name] = true end
  local results = {}
  local sections = { { "pic", pic_section }, { "channel_sweep", sweep_section },
    { "importance_prune", prune_section } }
  for _, s in ipairs(sections) do
    if want[s[1]] then
      local mod = require("experiments." .. s[1])
      local sub = { quick = o.quick, seed = o.seed, threads = o.threads, out = out .. "/" .. s[1],
        epochs = o.epochs, runs = opts and opts.runs or (o.runs ~= 1 and o.runs or nil),
        lr = o.lr, batch = o.batch }
      if o.data and s[1] ~= "pic" then sub.data = o.data end
      results[s[1]] = mod.run(sub)
      parts[#parts + 1] = s[2](results[s[1]])
    end
  end
  parts[#parts + 1] = "## Settings\n\n" .. experiment.settings(o)
  assert(report.write_atomic(out .. "/paper.md", table.concat(parts)))
  print("paper: report in " .. out .. "/paper.md")
  return results
end

return experiment.script(M, spec, "usage: sfewlua experiments/paper.lua [options]")
