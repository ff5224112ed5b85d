-- The CNN experiments on full frames with --crop face: each image of --data is cut to its
-- largest face first, and the report says how many faces were found.
local h = require "helpers"

describe("experiments with --crop face", function()
  local dir
  setup(function()
    dir = h.tmpdir()
    h.face_frames(dir .. "/frames")
  end)
  teardown(function() h.rmdir(dir) end)

  it("crops the frames to faces and states the detection rate in the report", function()
    local ok, out, err = h.run{ h.root .. "/experiments/channel_sweep.lua", "--data",
      dir .. "/frames", "--crop", "face", "--combos", "6x12", "--runs", "1", "--epochs", "1",
      "--out", dir .. "/out" }
    assert.is_true(ok, err)
    assert.matches("a face in 14 of 28 images", err .. out)
    local md = assert(io.open(dir .. "/out/report.md")):read("a")
    assert.matches("cropped to faces %(haar_alt2 detector%): a face in 14 of 28 images", md)
  end)

  it("takes another detector by name", function()
    local ok, _, err = h.run{ h.root .. "/experiments/channel_sweep.lua", "--data",
      dir .. "/frames", "--crop", "face", "--detector", "lbp", "--combos", "6x12", "--runs",
      "1", "--epochs", "1", "--out", dir .. "/out2" }
    assert.is_true(ok, err)
    local md = assert(io.open(dir .. "/out2/report.md")):read("a")
    assert.matches("cropped to faces %(lbp detector%)", md)
  end)

  it("refuses a crop other than face", function()
    local ok, _, err = h.run{ h.root .. "/experiments/channel_sweep.lua", "--data",
      dir .. "/frames", "--crop", "eyes", "--out", dir .. "/out3" }
    assert.is_false(ok)
    assert.matches("%-%-crop takes \"face\"", err)
  end)
end)
