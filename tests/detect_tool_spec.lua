-- tools/detect_faces.lua: crops, the CSV of boxes and the contact sheet for a folder.
local h = require "helpers"
local data = require "sfew.data"

describe("tools/detect_faces.lua", function()
  it("writes a crop per face, boxes.csv and a contact sheet", function()
    local src, out = h.tmpdir(), h.tmpdir()
    local fx = h.root .. "/tests/fixtures/faces/"
    os.execute(("cp %s %s %s"):format(h.quote(fx .. "hopper.png"), h.quote(fx .. "rocket.png"),
      h.quote(src)))
    local ok, stdout, stderr = h.run { h.root .. "/tools/detect_faces.lua", src, out .. "/o" }
    assert(ok, stderr)
    assert.matches("a face in 1 of 2 images", stdout)
    local csv = assert(io.open(out .. "/o/boxes.csv")):read("a")
    assert.matches("hopper.png,1,%d+,%d+,%d+,%d+,%d+", csv)
    assert.matches("rocket.png,0,,,,,", csv)
    local crop = assert(data.load_image(out .. "/o/crops/hopper_1.png"))
    assert.are.same({ 3, 72, 90 }, crop:shape())
    local sheet = assert(data.load_image(out .. "/o/contact_sheet.png"))
    assert.are.same({ 3, 144, 360 }, sheet:shape())
    h.rmdir(src)
    h.rmdir(out)
  end)

  it("exits with a usage message on bad arguments", function()
    local ok, _, stderr = h.run { h.root .. "/tools/detect_faces.lua", "only-one" }
    assert.is_false(ok)
    assert.matches("usage", stderr)
  end)
end)
