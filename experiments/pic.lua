-- Reproduces the paper's PIC pruning (sect. 2.1 and 3.1, Fig. 4): an N -> 10 -> N sigmoid
-- autoencoder on the SFEW feature table, hidden units pruned one at a time by
-- distinctiveness (Gedeon and Harris) down to 2, then the 15/165-degree threshold rule.
-- About 20 seconds on 2 cores; --quick a few seconds.
local experiment = require "experiment"
local report = require "report"
local plot = require "plot"

local config = { name = "pic", quick = { epochs = 300 }, patch_count = 2000 }
local spec = experiment.extend(experiment.common{ epochs = 3000, lr = 1e-2, out = "reports/pic" }, {
  { "hidden", 10, "hidden units", type = "integer" },
  { "label", true, "feed the label column as an input, as the paper did (--no-label: not)" },
  { "similar", 15, "angle (degrees) under which two units are similar" },
  { "complementary", 165, "angle over which two units are complementary" },
  { "rule", "paper", "complementary pairs: paper (fold one into the other) or gedeon (drop both)" },
  { "retrain", 0, "epochs of retraining after each removal", type = "integer" },
  { "patches", nil, "train on K x K patches of the face images instead", type = "integer" },
})

local M = { config = config, spec = spec }

local columns = {
  { "units", "Units" }, { "train_loss", "Train loss", "%.4f" },
  { "test_loss", "Test loss", "%.4f" }, { "min_angle", "Min angle", "%.2f" },
  { "action", "Then" },
}

local function load(o, rng)
  local data = require "sfew.data"
  local x
  if o.patches then
    local ds = o.data and assert(data.image_folder(o.data)) or assert(data.load_default())
    x = data.random_patches(ds.x, o.patches, config.patch_count, rng)
  else
    local path = o.data or assert(require("sfew.features").default_csv())
    x = assert(data.read_csv(path, { na = "drop", label = not o.label and "label" or false })).x
  end
  local train, test = experiment.split_rows(x, 0.8, rng)
  return experiment.standardize(train, test)
end

function M.run(opts)
  local o = experiment.options(spec, opts)
  experiment.apply_quick(o, config.quick)
  local sfew = require "sfew"
  local nn, prune = sfew.nn, sfew.prune
  local rng = experiment.setup(o)
  local train, test = load(o, rng)
  local n = train:size(2)
  local net = nn.Sequential{ nn.Linear(n, o.hidden, { rng = rng }), nn.Sigmoid(),
    nn.Linear(o.hidden, n, { rng = rng }) }
  local mse = nn.MSELoss()
  local function fit(m, epochs)
    return sfew.train.fit{ net = m, criterion = mse, x = train, y = train, epochs = epochs,
      optimizer = sfew.optim.Adam(m:parameters(), { lr = o.lr }), batch = o.batch, rng = rng,
      progress = epochs >= 100, label = "pic", eval_initial = false }
  end
  local hist = fit(net, o.epochs)
  local function measure(m, rec)
    rec.experiment = config.name
    rec.train_loss = sfew.train.evaluate(m, mse, train, train)
    rec.test_loss = sfew.train.evaluate(m, mse, test, test)
    local angles, dead = prune.hidden_angles(m, train)
    rec.units, rec.min_angle = angles:size(1), prune.min_angle(angles, dead)
    return rec
  end
  local records, p = {}, experiment.clone(net)
  while true do -- progressive: the most alike pair (or a dead unit) goes, down to 2 units
    local rec = measure(p, {})
    records[#records + 1] = rec
    if rec.units <= 2 then break end
    rec.action = prune.pic_step(p, train).action
    if o.retrain > 0 then fit(p, o.retrain) end
  end
  local t = experiment.clone(net)
  local log = prune.distinctiveness(t, train, { similar = o.similar,
    complementary = o.complementary, rule = o.rule })
  local threshold = measure(t, { mode = "threshold", removed = #log })
  io.write(report.text(records, columns))
  print(("threshold rule (%g / %g degrees): %d units removed, %d left; train loss %.4f, "
    .. "test loss %.4f"):format(o.similar, o.complementary, #log, threshold.units,
      threshold.train_loss, threshold.test_loss))
  if o.out then
    local u, l, a = {}, {}, {}
    for i, r in ipairs(records) do u[i], l[i], a[i] = r.units, r.train_loss, r.min_angle end
    plot.lines{ path = o.out .. "/pic.png", title = "PIC pruning: loss and smallest angle",
      xlabel = "hidden units", ylabel = "train loss (MSE)", y2label = "min angle (degrees)",
      reverse_x = true, integer_x = true, series = { { title = "train loss", x = u, y = l },
        { title = "min angle", x = u, y = a, axis = "y2" } } }
  end
  local md = table.concat{ "# PIC pruning\n\n", report.markdown(records, columns),
    ("\nThreshold rule (%g / %g degrees, %s): %d units removed, %d left; train loss %.4f, "
      .. "test loss %.4f.\n\n![pic](pic.png)\n\n## Settings\n\n"):format(o.similar,
      o.complementary, o.rule, #log, threshold.units, threshold.train_loss,
      threshold.test_loss), experiment.settings(o) }
  records[#records + 1] = threshold
  experiment.write(o, config.name, md, records)
  return { records = records, threshold = threshold, log = log, net = net, pruned = p,
    thresholded = t, history = hist, markdown = md }
end

return experiment.script(M, spec, "usage: sfewlua experiments/pic.lua [options]")
