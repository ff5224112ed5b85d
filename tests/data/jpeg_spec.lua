-- JPEG files are decoded by libjpeg-turbo: the same pixels OpenCV's imread gives, and a
-- clear error (never an abort) for a corrupt stream.
local h = require "helpers"
local sfew = require "sfew"

describe("sfew.data JPEG decoding", function()
  local path = h.root .. "/tests/fixtures/faces/hopper_s.jpg"

  it("decodes the pixels OpenCV 4.6's imread gives (sum and two pixels)", function()
    -- reference values from cv2.imread on the same file (RGB order)
    local t = assert(sfew.data.load_image(path))
    assert.are.same({ 3, 64, 64 }, t:shape())
    assert.is_true(math.abs(t:sum() * 255 - 1039011) < 0.5)
    for c = 1, 3 do
      assert.is_true(math.abs(t:get(c, 1, 1) * 255 - 36) < 1e-3)
      assert.is_true(math.abs(t:get(c, 11, 21) * 255 - 18) < 1e-3)
    end
  end)

  it("reads a colour JPEG as gray through the same luma as other formats", function()
    local rgb = assert(sfew.data.load_image(path))
    local gray = assert(sfew.data.load_image(path, { gray = true }))
    local want = 0.299 * rgb:get(1, 5, 7) + 0.587 * rgb:get(2, 5, 7) + 0.114 * rgb:get(3, 5, 7)
    assert.is_true(math.abs(gray:get(1, 5, 7) - want) < 1e-6)
  end)

  it("refuses a JPEG whose Huffman stream once aborted the decoder", function()
    local t, err = sfew.data.load_image(h.root .. "/tests/fixtures/bad/huffman.jpg")
    assert.is_nil(t)
    assert.matches("truncated or corrupt JPEG data %(libjpeg: ", err)
  end)
end)
