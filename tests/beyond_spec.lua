-- experiments/beyond.lua --quick on a tiny synthetic set: every row of the ablation,
-- pretraining on another folder, the table, report.md and results.jsonl.
local h = require "helpers"
local report = require "sfew.report"
local sfew = require "sfew"

describe("experiments.beyond", function()
  local dir
  setup(function()
    dir = h.tmpdir()
    assert(sfew.data.synthesize_faces { dir = dir .. "/faces", n = 35, seed = 2 })
  end)
  teardown(function() h.rmdir(dir) end)

  it("tabulates one row per change, with pretraining when given a folder", function()
    local beyond = require "experiments.beyond"
    local out = dir .. "/out"
    local r = beyond.run { quick = true, data = dir .. "/faces", pretrain = dir .. "/faces",
      out = out, epochs = 1, paper_epochs = 1, pretrain_epochs = 1 }
    assert.are.equal(#beyond.rows, #r.rows)
    assert.are.equal("paper", r.rows[1].row)
    assert.are.equal("wider", r.rows[#r.rows].row)
    local recs = assert(report.read_jsonl(out .. "/results.jsonl"))
    assert.are.equal(#beyond.rows, #recs)
    for _, rec in ipairs(recs) do
      for _, k in ipairs { "test_acc", "train_acc", "seconds", "params", "infer_ms" } do
        assert.is_number(rec[k], k)
      end
    end
    assert.is_true(recs[#recs].params > recs[1].params)
    assert.matches("| Setting |", io.open(out .. "/report.md"):read("a"))
  end)

  it("leaves the pretraining row out without --pretrain and runs as a script", function()
    local out = dir .. "/script"
    local ok, stdout = h.run { h.root .. "/experiments/beyond.lua", "--quick", "--data",
      dir .. "/faces", "--out", out, "--rows", "paper,minibatch", "--epochs", "1",
      "--paper_epochs", "1" }
    assert.is_true(ok)
    assert.matches("shuffled minibatches", stdout)
    assert.is_nil(stdout:find("pretraining", 1, true))
  end)
end)
