-- Reproduces the paper's channel sweep (sect. 2.2 table): the LeNet5-like CNN with
-- (C1, C2) in (16,32), (12,24), (20,40), (6,12), 5 runs of 700 full-batch Adam epochs
-- each; mean and spread per combination. About 1.5 hours on 2 cores; --quick under a minute.
-- Runs are independent: --run K does one, --merge tabulates the runs found under --out.
local cli = require "sfew.cli"
local experiment = require "sfew.experiment"
local report = require "sfew.report"

local config = { name = "channel_sweep", combos = "16x32,12x24,20x40,6x12",
  quick = { epochs = 15, limit = 200, runs = 1 } }
local function parse_combos(text)
  return cli.list(text, "combos", function(item)
    local c1, c2 = item:match("^(%d+)x(%d+)$")
    return c1 and tonumber(c1) > 0 and tonumber(c2) > 0 and c1 .. "x" .. c2 or nil
  end, "C1xC2 with positive channel counts (e.g. 16x32)")
end

local spec = experiment.extend(experiment.common{ epochs = 700, runs = 5, lr = 1e-3,
  out = "reports/channel_sweep" }, {
  { "combos", config.combos, "C1xC2 combinations, comma-separated", check = parse_combos },
  { "run", nil, "do only run K of each combination (for spreading runs over processes)",
    type = "integer" },
  { "merge", false, "only tabulate the runs already under --out/runs" },
})
local M = { config = config, spec = spec }

local columns = { { "combo", "C1xC2" }, { "runs", "Runs" }, { "train_loss", "Train loss" },
  { "train_acc", "Train acc" }, { "test_loss", "Test loss" }, { "test_acc", "Test acc" },
  { "seconds_per_epoch", "s/epoch" } }

local function combo_of(r) return r.c1 .. "x" .. r.c2 end


local function run_one(o, combo, r, train, test)
  local c1, c2 = combo:match("(%d+)x(%d+)")
  local seed = o.seed * 1000 + r -- each run its own initialisation
  local net, loss_fn, hist = experiment.train_cnn(o, tonumber(c1), tonumber(c2),
    require("sfew").rng(seed), train, { eval_every = o.epochs, eval_initial = false,
      label = combo .. " run " .. r })
  local rec = experiment.measure(net, loss_fn, train, test, { experiment = config.name,
    c1 = tonumber(c1), c2 = tonumber(c2), run = r, seed = seed, epochs = o.epochs,
    seconds_per_epoch = hist.seconds_per_epoch })
  rec.confusion = experiment.confusion_matrix(net, test.x, test.y, #test.classes)
  return rec
end

-- mean ± sd of every measure, one row per combination in --combos order, from run records
function M.tabulate(records, combos)
  return report.sort_by_list(report.group_stats(records, combo_of, columns, { key = "combo" }),
    "combo", parse_combos(combos or config.combos))
end

function M.run(opts)
  local o = experiment.options(spec, opts, config.quick)
  local rng = experiment.setup(o)
  local dir, records, note = o.out and (o.out .. "/runs"), {}, o.data or "synthetic faces"
  if not o.merge then
    local train, test, ds = experiment.faces(o, rng) -- one split for every run
    note = ds.note
    for _, combo in ipairs(parse_combos(o.combos)) do
      for r = o.run or 1, o.run or o.runs do
        records[#records + 1] = run_one(o, combo, r, train, test)
        experiment.save_run(dir, ("%s-run%d"):format(combo, r), records[#records])
      end
    end
  end
  if dir and (o.merge or o.run) then records = report.read_jsonl_dir(dir) end
  local rows = M.tabulate(records, o.combos)
  io.write(report.text(rows, columns))
  local md = experiment.finish(o, config.name, "Channel sweep", { report.markdown(rows, columns),
    experiment.confusions(rows, records, "combo", combo_of),
    "\n", require("sfew.paper").cnn_settings(o, note) }, records)
  return { records = records, rows = rows, markdown = md, note = note }
end

local doc = require "sfew.doc"
doc.register(M, "experiments.channel_sweep", "The paper's channel sweep of the CNN (sect. 2.2).")
doc.table(M, {
  run = { "require(\"experiments.channel_sweep\").run{combos = \"16x32,12x24,20x40,6x12\", "
    .. "epochs = 700, lr = 1e-3, runs = 5, run, merge, data, seed = 1, batch, threads, out, "
    .. "quick, limit}",
    "Trains the paper's CNN for each (C1, C2) over runs seeds; returns {records, rows, "
    .. "markdown, note}. ", "require(\"experiments.channel_sweep\").run{quick = true}" },
  tabulate = { "experiments.channel_sweep.tabulate(records [, combos])",
    "Mean ± sd of every measure, one row per combination in combos order." },
  config = { "experiments.channel_sweep.config", "Name, combinations and --quick settings." },
  spec = { "experiments.channel_sweep.spec", "The command-line options of channel_sweep.lua." },
})

return experiment.script(M, spec, "usage: sfewlua experiments/channel_sweep.lua [options]")
