-- The paper's experiments end to end on a tiny synthetic set: tables, report.md,
-- results.jsonl with the documented records, and running as scripts.
local h = require "helpers"
local report = require "sfew.report"
local sfew = require "sfew"

local dir, faces, features_csv

setup(function()
  dir = h.tmpdir()
  faces = dir .. "/faces"
  assert(sfew.data.synthesize_faces{ dir = faces, n = 42, seed = 3 })
  features_csv = assert(require("sfew.features").cached_csv(faces))
end)

teardown(function() h.rmdir(dir) end)

local function records(out)
  return assert(report.read_jsonl(out .. "/results.jsonl"))
end

describe("experiments", function()
  it("pic prunes down to 2 units and runs the threshold rule", function()
    local pic = require "experiments.pic"
    local out = dir .. "/pic"
    local r = pic.run{ quick = true, epochs = 20, data = features_csv, out = out }
    local recs = records(out)
    assert.are.equal(10, recs[1].units)
    assert.are.equal(2, recs[9].units)
    assert.are.equal("threshold", recs[10].mode)
    for _, k in ipairs { "train_loss", "test_loss", "min_angle" } do
      assert.is_number(recs[1][k])
    end
    assert.are.equal("pic", recs[1].experiment)
    assert.matches("| Units |", io.open(out .. "/report.md"):read("a"))
    assert.are.equal(2, r.pruned[1].weight:size(1))
  end)

  it("pic averages over runs, each with its seed, and states its settings in words", function()
    local pic = require "experiments.pic"
    local out = dir .. "/pic_runs"
    local r = pic.run{ epochs = 5, runs = 2, seed = 7, data = features_csv, out = out,
      standardize = true, center = 0.5 }
    local seeds = {}
    for _, rec in ipairs(records(out)) do seeds[rec.seed] = (seeds[rec.seed] or 0) + 1 end
    assert.are.same({ [7] = 10, [8] = 10 }, seeds) -- 9 pruning steps and the rule, per run
    assert.are.equal(2, r.rows[1].runs)
    assert.matches(" ± ", r.rows[1].train_loss)
    local md = io.open(out .. "/report.md"):read("a")
    assert.matches("z%-scored with the training part's mean", md)
    assert.matches("centred at 0.5 %(Gedeon and Harris' refinement, not the paper's%)", md)
    assert.matches("Runs: 2 %(seeds 7..8%)", md)
  end)

  it("pic trains on image patches with --patches", function()
    local pic = require "experiments.pic"
    local r = pic.run{ epochs = 5, runs = 1, patches = 4, data = faces, hidden = 6,
      out = dir .. "/patches" }
    assert.are.equal(16, r.net[1].weight:size(2))
  end)

  it("channel_sweep tabulates runs, one record per run, and merges them", function()
    local sweep = require "experiments.channel_sweep"
    local out = dir .. "/sweep"
    sweep.run{ epochs = 2, runs = 2, combos = "6x12", data = faces, out = out }
    local recs = records(out)
    assert.are.equal(2, #recs)
    assert.are.same({ 6, 12, 1 }, { recs[1].c1, recs[1].c2, recs[1].run })
    for _, k in ipairs { "train_loss", "train_acc", "test_loss", "test_acc",
      "seconds_per_epoch" } do
      assert.is_number(recs[2][k])
    end
    assert.is_true(recs[1].test_acc >= 0 and recs[1].test_acc <= 1)
    local merged = sweep.run{ merge = true, combos = "6x12", out = out }
    assert.are.equal(1, #merged.rows)
    assert.are.equal(2, merged.rows[1].runs)
  end)

  it("channel_sweep spread over GNU parallel jobs merges to the table of one process", function()
    local sweep = require "experiments.channel_sweep"
    local common = { "--epochs", "2", "--runs", "2", "--combos", "6x12,4x8", "--data", faces,
      "--threads", "1" }
    local one = sweep.run{ epochs = 2, runs = 2, combos = "6x12,4x8", data = faces, threads = 1,
      out = dir .. "/one" }
    local args = {}
    for i, a in ipairs(common) do args[i] = h.quote(a) end
    local cmd = ("parallel --will-cite -j 2 %s %s --run {} --out %s ::: 1 2 >/dev/null 2>&1")
      :format(h.quote(h.sfewlua), h.quote(h.root .. "/experiments/channel_sweep.lua") .. " "
        .. table.concat(args, " "), h.quote(dir .. "/par"))
    assert.is_true(os.execute(cmd) == true, "parallel failed: " .. cmd)
    local merged = sweep.run{ merge = true, combos = "6x12,4x8", out = dir .. "/par" }
    assert.are.equal(2, #merged.rows)
    for i, row in ipairs(one.rows) do
      for _, k in ipairs { "combo", "runs", "train_loss", "train_acc", "test_loss", "test_acc" } do
        assert.are.equal(row[k], merged.rows[i][k])
      end
    end
  end)

  it("importance_prune masks kernels, removes them and keeps the outputs", function()
    local ip = require "experiments.importance_prune"
    local out = dir .. "/ip"
    local r = ip.run{ epochs = 2, c1 = 4, c2 = 6, data = faces, out = out }
    local recs = records(out)
    assert.are.equal(0, recs[1].pruned)
    assert.is_number(recs[1].min_importance)
    assert.is_true(r.speed.max_output_diff < 1e-3)
    assert.are.equal(4 - #r.masked, r.small[1].weight:size(1))
  end)

  it("paper runs the experiments and writes paper.md beside the paper's numbers", function()
    local paper = require "experiments.paper"
    local out = dir .. "/paper"
    paper.run{ epochs = 2, only = "importance_prune", data = faces, out = out }
    local md = io.open(out .. "/paper.md"):read("a")
    assert.matches("Importance pruning", md)
    assert.matches("0.2831", md) -- the paper's own loss stands beside ours
  end)

  it("paper runs every section on a given feature table and image folder", function()
    local paper = require "experiments.paper"
    local out = dir .. "/paper_all"
    paper.run{ quick = true, epochs = 2, runs = 1, limit = 30, features = features_csv,
      images = faces, out = out }
    local md = io.open(out .. "/paper.md"):read("a")
    assert.matches("^> Quick run", md)
    assert.matches("Ran on " .. features_csv:gsub("%p", "%%%0") .. ", %d+ rows x %d+ columns", md)
    assert.matches("Ran on " .. faces:gsub("%p", "%%%0") .. ": 30 images", md)
    assert.matches("paper %(as printed%)", md)
    assert.matches("paper 0.3787", md) -- the paper's 37.87 % beside ours
    assert.matches("0.2831", md)
  end)

  it("runs as a script, rejects unknown options and prints help", function()
    local ok, out = h.run{ h.root .. "/experiments/pic.lua", "--help" }
    assert.is_true(ok)
    assert.matches("%-%-patches", out)
    local bad, _, err, code = h.run{ h.root .. "/experiments/pic.lua", "--bogus" }
    assert.is_false(bad)
    assert.are.equal(2, code)
    assert.matches("unknown option %-%-bogus", err)
  end)
end)
