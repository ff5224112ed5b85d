-- Reproduces the paper's channel sweep (sect. 2.2 table): the LeNet5-like CNN with
-- (C1, C2) in (16,32), (12,24), (20,40), (6,12), 5 runs of 700 full-batch Adam epochs
-- each; mean and spread per combination. About 1.5 hours on 2 cores; --quick under a minute.
-- Runs are independent: --run K does one, --merge tabulates the runs found under --out.
local experiment = require "sfew.experiment"
local report = require "sfew.report"

local config = {
  name = "channel_sweep",
  combos = "16x32,12x24,20x40,6x12",
  quick = { epochs = 15, limit = 200, runs = 1 },
}
local spec = experiment.extend(experiment.common{ epochs = 700, runs = 5, lr = 1e-3,
  out = "reports/channel_sweep" }, {
  { "combos", config.combos, "C1xC2 combinations, comma-separated" },
  { "run", nil, "do only run K of each combination (for spreading runs over processes)",
    type = "integer" },
  { "merge", false, "only tabulate the runs already under --out/runs" },
})

local M = { config = config, spec = spec }

local columns = {
  { "combo", "C1xC2" }, { "runs", "Runs" }, { "train_loss", "Train loss" },
  { "train_acc", "Train acc" }, { "test_loss", "Test loss" }, { "test_acc", "Test acc" },
  { "seconds_per_epoch", "s/epoch" },
}

local function parse_combos(text)
  local out = {}
  for c1, c2 in text:gmatch("(%d+)x(%d+)") do out[#out + 1] = { tonumber(c1), tonumber(c2) } end
  for i, c in ipairs(out) do out[c[1] .. "x" .. c[2]] = i end -- position, for sorting
  if #out == 0 then error("--combos: expected a list like 16x32,6x12, got " .. text, 0) end
  return out
end

local function run_one(o, c1, c2, r, train, test)
  local sfew = require "sfew"
  local rng = sfew.rng(o.seed * 1000 + r) -- each run its own initialisation
  local net = experiment.paper_cnn(c1, c2, { rng = rng })
  local loss_fn = sfew.nn.CrossEntropyLoss()
  local hist = sfew.train.fit{ net = net, criterion = loss_fn, x = train.x, y = train.y,
    optimizer = sfew.optim.Adam(net:parameters(), { lr = o.lr }), epochs = o.epochs,
    batch = o.batch, rng = rng, eval_every = o.epochs, eval_initial = false,
    label = ("%dx%d run %d"):format(c1, c2, r) }
  local rec = { experiment = config.name, c1 = c1, c2 = c2, run = r, epochs = o.epochs,
    seconds_per_epoch = hist.seconds_per_epoch }
  rec.train_loss, rec.train_acc = sfew.train.evaluate(net, loss_fn, train.x, train.y)
  rec.test_loss, rec.test_acc = sfew.train.evaluate(net, loss_fn, test.x, test.y)
  rec.confusion = experiment.confusion_matrix(net, test.x, test.y, #test.classes)
  return rec
end

-- mean ± sd of every measure, one row per combination, from run records
function M.tabulate(records)
  local by, order = {}, {}
  for _, r in ipairs(records) do
    local key = r.c1 .. "x" .. r.c2
    if not by[key] then by[key] = {}; order[#order + 1] = key end
    table.insert(by[key], r)
  end
  local rows = {}
  for _, key in ipairs(order) do
    local row = { combo = key, runs = #by[key] }
    for _, f in ipairs { "train_loss", "train_acc", "test_loss", "test_acc",
      "seconds_per_epoch" } do
      local xs = {}
      for i, r in ipairs(by[key]) do xs[i] = r[f] end
      local m, s = report.mean_std(xs)
      row[f] = #xs > 1 and ("%.4f ± %.4f"):format(m, s) or ("%.4f"):format(m)
    end
    rows[#rows + 1] = row
  end
  return rows
end

function M.run(opts)
  local o = experiment.options(spec, opts)
  experiment.apply_quick(o, config.quick)
  local rng = experiment.setup(o)
  local dir = o.out and (o.out .. "/runs")
  if dir then report.mkdir(dir) end
  local records = {}
  if not o.merge then
    local train, test = experiment.faces(o, rng) -- one split for every run
    for _, c in ipairs(parse_combos(o.combos)) do
      for r = o.run or 1, o.run or o.runs do
        local rec = run_one(o, c[1], c[2], r, train, test)
        records[#records + 1] = rec
        if dir then
          assert(report.write_atomic(("%s/%dx%d-run%d.jsonl"):format(dir, c[1], c[2], r),
            report.jsonl{ rec }))
        end
      end
    end
  end
  if dir and (o.merge or o.run) then -- tabulate every run on disk, from any process
    records = report.read_jsonl_dir(dir)
    local pos = parse_combos(o.combos)
    table.sort(records, function(a, b)
      local pa, pb = pos[a.c1 .. "x" .. a.c2] or 1e9, pos[b.c1 .. "x" .. b.c2] or 1e9
      if pa ~= pb then return pa < pb end
      if a.c1 ~= b.c1 then return a.c1 < b.c1 end
      return a.run < b.run
    end)
  end
  local rows = M.tabulate(records)
  io.write(report.text(rows, columns))
  local md = { "# Channel sweep\n\n", report.markdown(rows, columns) }
  for _, row in ipairs(rows) do -- test-set confusion, summed over the runs
    local mats = {}
    for _, r in ipairs(records) do
      if r.c1 .. "x" .. r.c2 == row.combo and r.confusion then mats[#mats + 1] = r.confusion end
    end
    if #mats > 0 then
      local classes = require("sfew.data").classes
      md[#md + 1] = ("\n## Confusion on the test set, %s (%d runs)\n\n"):format(row.combo, #mats)
      md[#md + 1] = report.markdown(experiment.confusion_table(mats, classes))
    end
  end
  md[#md + 1] = "\n## Settings\n\n" .. experiment.settings(o)
  md = table.concat(md)
  experiment.write(o, config.name, md, records)
  return { records = records, rows = rows, markdown = md }
end

return experiment.script(M, spec,
  "usage: sfewlua experiments/channel_sweep.lua [options]")
