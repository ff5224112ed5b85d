-- experiments/beyond.lua --quick on a tiny synthetic set: every row of the ablation,
-- pretraining on another folder, the face crop row on a folder of frames, the table,
-- report.md and results.jsonl.
local experiment = require "sfew.experiment"
local h = require "helpers"
local report = require "sfew.report"
local sfew = require "sfew"

describe("experiments.beyond", function()
  local dir
  setup(function()
    dir = h.tmpdir()
    assert(sfew.data.synthesize_faces { dir = dir .. "/faces", n = 35, seed = 2 })
    h.face_frames(dir .. "/frames")
  end)
  teardown(function() h.rmdir(dir) end)

  it("tabulates one row per change, with pretraining when given a folder", function()
    local beyond = require "experiments.beyond"
    local out = dir .. "/out"
    local r = beyond.run { quick = true, data = dir .. "/faces", pretrain = dir .. "/faces",
      out = out, epochs = 1, paper_epochs = 1, pretrain_epochs = 1 }
    assert.are.equal(#beyond.rows - 1, #r.rows) -- all but the face crop
    assert.are.equal("paper", r.rows[1].row)
    assert.are.equal("pretrain", r.rows[#r.rows - 1].row)
    assert.are.equal("wider", r.rows[#r.rows].row)
    local recs = assert(report.read_jsonl(out .. "/results.jsonl"))
    assert.are.equal(#beyond.rows - 1, #recs)
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

  it("adds the face crop row with --crop face, on the crops of the same images, and states "
    .. "the detection rate", function()
    local beyond = require "experiments.beyond"
    local out = dir .. "/crop"
    local r = beyond.run { quick = true, data = dir .. "/frames", crop = "face", out = out,
      rows = "cosine,crop,wider", epochs = 1 }
    local names = {}
    for k, row in ipairs(r.rows) do names[k] = row.row end
    assert.are.same({ "cosine", "crop", "wider" }, names)
    assert.matches("From the row \"%+ face crop %(%-%-crop face%)\" on: cropped to faces "
      .. "%(haar_alt2 detector%): a face in 14 of 28 images %(50.0%%%)", r.markdown)
    assert.is_nil(r.records[1].note)
    -- The merged table still says it.
    local merged = beyond.run { out = out, merge = true }
    assert.matches("a face in 14 of 28 images", merged.markdown)
    -- The rows split each run alike: the crops of the test frames are the test crops.
    local o = { data = dir .. "/frames", crop = "face" }
    local frames = experiment.load_faces(o, false)
    local crops = experiment.load_faces(o, true)
    assert.are.same(frames.paths, crops.paths)
    assert.are_not.same(frames.x:flat(), crops.x:flat())
    local _, test_f = experiment.faces(o, sfew.rng(1001), frames)
    local _, test_c = experiment.faces(o, sfew.rng(1001), crops)
    assert.are.same(test_f.paths, test_c.paths)
  end)

  it("refuses --crop face without --data and a row it does not have", function()
    local beyond = require "experiments.beyond"
    assert.has_error(function() beyond.run { quick = true, crop = "face" } end,
      "--crop face needs --data (a folder of frames)")
    assert.has_error(function() beyond.run { quick = true, rows = "paper,corp",
      data = dir .. "/faces" } end,
      "--rows: no row 'corp' (did you mean 'crop'?)")
  end)

  it("runs --fashion with its own defaults (a 4-pixel border, flips, a cosine schedule), "
    .. "which options given explicitly override", function()
    local beyond = require "experiments.beyond"
    local fm = h.fashion_folder(dir .. "/fm", 80, 7)
    local r = beyond.run { fashion = true, quick = true, data = fm, out = dir .. "/fm_out" }
    assert.are.equal(2, r.rows[#r.rows].epoch)
    for _, want in ipairs { "pad: 4", "cosine: true", "augment: flip", "lr: 0.002" } do
      assert.matches(want, r.markdown, 1, true)
    end
    r = beyond.run { fashion = true, quick = true, data = fm, pad = 0, cosine = false,
      augment = "none", lr = 1e-3, out = dir .. "/fm_out2" }
    for _, want in ipairs { "pad: 0", "cosine: false", "augment: none", "lr: 0.001" } do
      assert.matches(want, r.markdown, 1, true)
    end
  end)
end)
