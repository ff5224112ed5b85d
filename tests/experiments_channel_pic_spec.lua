-- experiments/channel_pic.lua, the worked example of a new experiment: run as a script on
-- a tiny synthetic set, it merges conv2 channels and writes report.md and results.jsonl.
local h = require "helpers"
local report = require "sfew.report"
local sfew = require "sfew"

describe("experiments/channel_pic.lua", function()
  local dir
  setup(function()
    dir = h.tmpdir()
    assert(sfew.data.synthesize_faces{ dir = dir .. "/faces", n = 42, seed = 3 })
  end)
  teardown(function() h.rmdir(dir) end)

  it("reports the loss and accuracy before and after merging channels", function()
    local ok, out, err = h.run{ h.root .. "/experiments/channel_pic.lua", "--epochs", "1",
      "--limit", "30", "--threshold", "60", "--data", dir .. "/faces", "--out", dir .. "/out" }
    assert.is_true(ok, err)
    assert.matches("before%s+32", out)
    local recs = assert(report.read_jsonl(dir .. "/out/results.jsonl"))
    assert.are.equal("before", recs[1].stage)
    assert.are.equal("after", recs[2].stage)
    local merges = #recs - 2
    assert.is_true(merges > 0)
    assert.are.equal(32 - merges, recs[2].channels)
    for i = 3, #recs do
      assert.are.equal("merge", recs[i].stage)
      assert.is_true(recs[i].angle < 60)
    end
    for _, r in ipairs{ recs[1], recs[2] } do
      assert.is_true(r.train_loss > 0 and r.test_acc >= 0 and r.test_acc <= 1)
    end
    local md = assert(io.open(dir .. "/out/report.md")):read("a")
    assert.matches("merged under 60 degrees", md)
    assert.matches("| after | " .. recs[2].channels .. " |", md, 1, true)
  end)

  it("refuses an unknown option", function()
    local ok, _, err = h.run{ h.root .. "/experiments/channel_pic.lua", "--epoch", "1" }
    assert.is_false(ok)
    assert.matches("bad option %-%-epoch", err)
  end)
end)
