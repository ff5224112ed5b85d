-- sfew.ablation: rows that add their fields to the rows above, run records written under
-- runs/ and merged, mean ± sd per row, learning curves, a row's training recipe,
-- pretraining with a new classifier, and the measures of a trained net.
local ablation = require "sfew.ablation"
local h = require "helpers"
local report = require "sfew.report"
local sfew = require "sfew"

local rows = {
  { name = "base", label = "base", full_batch = true, c = 1 },
  { name = "more", label = "+ more", full_batch = false, c = 2 },
  { name = "opt", label = "+ optional", extra = true, enabled = function(o) return o.on end },
  { name = "last", label = "+ last", c = 3 },
}

-- A small classification problem a Linear net learns: two classes, 40 rows of 4 columns.
local function problem(rng)
  local x = sfew.tensor.randn({ 40, 4 }, rng)
  local y = {}
  for i = 1, 40 do y[i] = x[i][1] > 0 and 1 or 2 end
  return sfew.data.Dataset.new { x = x, y = sfew.tensor.new({ 40 }, y), classes = { "a", "b" } }
end

describe("sfew.ablation", function()
  it("gives each row its own fields over those of the enabled rows above it", function()
    assert.are.same({ c = 3, full_batch = false, d = 0 },
      ablation.settings(rows, 4, {}, { d = 0 }))
    assert.are.same({ c = 2, full_batch = false, extra = true },
      ablation.settings(rows, 3, { on = true }))
    assert.is_false(ablation.enabled(rows[3], {}))
    assert.is_true(ablation.enabled(rows[1], {}))
  end)

  it("writes each run to runs/<row>-run<r>.jsonl and merges what is there", function()
    local dir = h.tmpdir()
    local o = { out = dir, runs = 2, first_run = 1 }
    local seen = {}
    local function run(i, r)
      seen[#seen + 1] = rows[i].name .. r
      return { row = rows[i].name, run = r, test_acc = i / 10 + r / 100, train_acc = 1,
        seconds = 1, params = 10 * i, infer_ms = 0.5, curve = { { epoch = 1, test_acc = r } } }
    end
    local recs = ablation.collect(rows, o, run)
    assert.are.same({ "base1", "base2", "more1", "more2", "last1", "last2" }, seen)
    assert.are.equal(6, #recs)
    assert.are.equal(0.22, assert(report.read_jsonl(dir .. "/runs/more-run2.jsonl"))[1].test_acc)
    -- Another process adds run 3 of one row; the merge tabulates everything on disk.
    ablation.collect(rows, { out = dir, runs = 3, first_run = 3, rows = "base" }, run)
    local merged = ablation.collect(rows, { out = dir, merge = true }, run)
    assert.are.equal(7, #merged)
    local table_rows, by = ablation.tabulate(merged, rows)
    assert.are.same({ "base", "more", "last" }, { table_rows[1].row, table_rows[2].row,
      table_rows[3].row })
    assert.are.equal(3, table_rows[1].runs)
    assert.are.equal("0.1200 ± 0.0100", table_rows[1].test_acc)
    assert.are.equal("10", table_rows[1].params)
    local series = ablation.curves(by, rows)
    assert.are.equal("base test", series[1].title)
    assert.are.same({ 2 }, series[1].y) -- the mean of runs 1, 2 and 3 at epoch 1
    h.rmdir(dir)
  end)

  it("states each note of the records once, from the first row that has it", function()
    local function rec(row, note)
      return { row = row, test_acc = 0.5, train_acc = 0.5, seconds = 1, params = 1,
        infer_ms = 1, note = note }
    end
    local r = ablation.report({}, rows, { rec("base"), rec("more", "on crops"),
      rec("last", "on crops") }, { name = "t", title = "T" })
    assert.are.equal(3, #r.rows)
    local _, n = r.markdown:gsub("on crops", "")
    assert.are.equal(1, n)
    assert.matches("From the row \"%+ more\" on: on crops%.", r.markdown)
  end)

  it("names the function and the argument given a value of the wrong type", function()
    local cases = {
      { "settings", { rows, "1", {} }, "#2 to 'ablation.settings' (number expected, got string)" },
      { "collect", { rows, {}, 5 }, "#3 to 'ablation.collect' (function expected, got number)" },
      { "tabulate", { nil, rows }, "#1 to 'ablation.tabulate' (table expected, got nil)" },
      { "fit", { 5, {}, {} }, "#1 to 'ablation.fit' (network expected, got number)" },
      { "fit", { sfew.nn.Linear(4, 2), {}, { epoch = 1 } },
        "#3 to 'ablation.fit' (unknown option 'epoch' (did you mean 'epochs'?))" },
      { "pretrain", { sfew.nn.Linear(4, 2), {}, {}, "3", {} },
        "#4 to 'ablation.pretrain' (number expected, got string)" },
      { "measure", { sfew.nn.Linear(4, 2), {}, {} },
        "#4 to 'ablation.measure' (table expected, got nil)" },
      { "check_augment", { 7 }, "#1 to 'ablation.check_augment' (string expected, got number)" },
    }
    for _, c in ipairs(cases) do
      local ok, err = pcall(function() ablation[c[1]](table.unpack(c[2], 1, 5)) end)
      assert.is_false(ok, c[1])
      assert.matches("ablation_spec.lua:%d+: bad argument " .. c[3]:gsub("%p", "%%%0"), err)
    end
  end)

  it("refuses a row name it does not have", function()
    assert.has_error(function() ablation.collect(rows, { rows = "bsae" }, error) end,
      "--rows: no row 'bsae' (did you mean 'base'?)")
  end)

  it("trains with a row's recipe and measures the net", function()
    local rng = sfew.rng(4)
    local ds = problem(rng)
    local net = sfew.nn.Sequential { sfew.nn.Linear(4, 2, { rng = rng }) }
    local hist = ablation.fit(net, { weight_decay = 0.01, cosine = true }, { x = ds.x, y = ds.y,
      epochs = 20, lr = 0.05, batch = 8, rng = rng, test = ds })
    assert.are.equal(21, #hist.eval)
    local rec = ablation.measure(net, ds, ds, { row = "x" })
    assert.is_true(rec.test_acc > 0.8, rec.test_acc)
    assert.are.equal(10, rec.params)
    assert.is_true(rec.infer_ms >= 0)
    assert.are.equal(40, rec.confusion[1][1] + rec.confusion[1][2] + rec.confusion[2][1]
      + rec.confusion[2][2])
  end)

  it("pretrains, gives the net a new classifier and the layers below a tenth of the rate",
    function()
      local rng = sfew.rng(5)
      local ds = problem(rng)
      local net = sfew.nn.Sequential { sfew.nn.Linear(4, 3, { rng = rng }), sfew.nn.ReLU(),
        sfew.nn.Linear(3, 2, { rng = rng }) }
      local groups = ablation.pretrain(net, ds, { full_batch = true }, 2,
        { lr = 0.01, rng = rng, classes = 5 })
      assert.are.same({ 5, 3 }, net[3].weight:shape())
      assert.are.equal(0.001, groups[1].lr)
      assert.are.equal(2, #groups[1].params)
      assert.are.equal(net[3].weight, groups[2].params[1])
    end)

  it("checks that two loads of a folder hold the same images in the same order", function()
    local x = sfew.tensor.zeros { 2, 1 }
    local a = sfew.data.Dataset.new { x = x, paths = { "p", "q" } }
    local b = sfew.data.Dataset.new { x = x, paths = { "q", "p" } }
    assert.are.equal(a, ablation.aligned(a, a))
    assert.has_error(function() ablation.aligned(a, b) end)
  end)

  it("checks an --augment list as the other option errors read", function()
    ablation.check_augment("flip,shift:2,rotate:10,erase")
    assert.has_error(function() ablation.check_augment("flip,shfit:2") end,
      "--augment: bad argument #1 to 'parse_augment' (unknown augmentation 'shfit' (did you "
      .. "mean 'shift'?))")
  end)
end)
