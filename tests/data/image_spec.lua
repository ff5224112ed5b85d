-- sfew.data images: PNG round trips, luma, resizing, limits and errors.
local sfew = require "sfew"
local h = require "helpers"
local data, tensor = sfew.data, sfew.tensor

-- A C x H x W tensor whose values are multiples of 1/255 (exact through 8-bit PNG).
local function ramp(c, hh, w)
  local v = {}
  for i = 1, c * hh * w do v[i] = ((i * 37) % 256) / 255 end
  return tensor.new({ c, hh, w }, v)
end

describe("sfew.data", function()
  local dir
  setup(function() dir = h.tmpdir() end)
  teardown(function() h.rmdir(dir) end)

  describe(".write_png and .load_image", function()
    it("round-trips RGB pixels exactly", function()
      local t = ramp(3, 5, 7)
      assert.is_true(data.write_png(t, dir .. "/rgb.png"))
      local back = data.load_image(dir .. "/rgb.png")
      assert.are.same({ 3, 5, 7 }, back:shape())
      assert.is_true(h.max_rel_err(back, t) < 1e-6)
    end)
    it("round-trips a gray image exactly", function()
      local t = ramp(1, 4, 6)
      data.write_png(t, dir .. "/gray.png")
      local back = data.load_image(dir .. "/gray.png", { gray = true })
      assert.are.same({ 1, 4, 6 }, back:shape())
      assert.is_true(h.max_rel_err(back, t) < 1e-6)
      assert.are.same({ 3, 4, 6 }, data.load_image(dir .. "/gray.png"):shape())
    end)
    it("reads hand-made BMP and TGA files", function()
      -- Two pixels, red then blue, stored BGR. BMP rows run bottom-up, padded to 4 bytes.
      local bmp = "BM" .. string.pack("<I4I4I4", 62, 0, 54)
        .. string.pack("<I4i4i4I2I2I4I4i4i4I4I4", 40, 2, 1, 1, 24, 0, 8, 2835, 2835, 0, 0)
        .. "\0\0\255" .. "\255\0\0" .. "\0\0"
      local tga = string.pack("<BBBI2I2BI2I2I2I2BB", 0, 0, 2, 0, 0, 0, 0, 0, 2, 1, 24, 0x20)
        .. "\0\0\255" .. "\255\0\0"
      for name, bytes in pairs { ["x.bmp"] = bmp, ["x.tga"] = tga } do
        local f = assert(io.open(dir .. "/" .. name, "wb")); f:write(bytes); f:close()
        local t = assert(data.load_image(dir .. "/" .. name))
        assert.are.same({ 3, 1, 2 }, t:shape())
        assert.are.same({ 1, 0, 0, 0, 0, 1 }, t:flat(), name)
      end
    end)
    it("converts to gray with ITU-R 601 luma", function()
      -- Three pixels: pure red, green and blue.
      local t = tensor.new({ 3, 1, 3 }, { 1, 0, 0, 0, 1, 0, 0, 0, 1 })
      data.write_png(t, dir .. "/rgbw.png")
      local g = data.load_image(dir .. "/rgbw.png", { gray = true }):flat()
      assert.is_true(math.abs(g[1] - 0.299) < 1e-6)
      assert.is_true(math.abs(g[2] - 0.587) < 1e-6)
      assert.is_true(math.abs(g[3] - 0.114) < 1e-6)
    end)
    it("resizes by area: 4x4 blocks shrink to their means", function()
      -- 8 x 16 gray image of 4x4 blocks with distinct values: 2 x 4 blocks.
      local v = {}
      for y = 0, 7 do
        for x = 0, 15 do v[#v + 1] = ((y // 4) * 4 + x // 4) * 20 / 255 end
      end
      data.write_png(tensor.new({ 1, 8, 16 }, v), dir .. "/blocks.png")
      local s = data.load_image(dir .. "/blocks.png", { width = 4, height = 2, gray = true })
      assert.are.same({ 1, 2, 4 }, s:shape())
      local want = {}
      for k = 0, 7 do want[k + 1] = k * 20 / 255 end
      assert.is_true(h.max_rel_err(s, want) < 1e-5)
    end)
    it("gives the requested sizes, 720x576 becoming 90x72", function()
      data.write_png(tensor.zeros { 1, 576, 720 }, dir .. "/frame.png")
      local s = data.load_image(dir .. "/frame.png", { width = 90, height = 72, gray = true })
      assert.are.same({ 1, 72, 90 }, s:shape())
      assert.are.same({ 3, 10, 33 },
        data.load_image(dir .. "/frame.png", { width = 33, height = 10 }):shape())
      assert.are.same({ 1, 48, 60 }, data.load_image(dir .. "/frame.png",
        { width = 60, gray = true }):shape())
    end)
    it("refuses an image over the pixel limit before decoding", function()
      data.write_png(tensor.zeros { 1, 20, 20 }, dir .. "/big.png")
      local t, msg = data.load_image(dir .. "/big.png", { max_pixels = 100 })
      assert.is_nil(t)
      assert.matches("over the limit", msg)
    end)
    it("returns nil and a message naming a missing or corrupt file", function()
      local t, msg = data.load_image(dir .. "/none.png")
      assert.is_nil(t)
      assert.matches("none.png", msg)
      local f = assert(io.open(dir .. "/junk.png", "wb"))
      f:write("\137PNG\r\n\26\n garbage garbage"); f:close()
      t, msg = data.load_image(dir .. "/junk.png")
      assert.is_nil(t)
      assert.matches("junk.png", msg)
    end)
    it("raises on bad arguments", function()
      local ok, msg = pcall(data.load_image, {})
      assert.is_false(ok); assert.matches("bad argument #1", msg)
      ok, msg = pcall(data.load_image, "x.png", { width = -3 })
      assert.is_false(ok); assert.matches("bad argument #2", msg)
      ok, msg = pcall(data.write_png, tensor.zeros { 4, 4 }, dir .. "/x.png")
      assert.is_false(ok); assert.matches("bad argument #1", msg)
      ok, msg = pcall(data.write_png, tensor.zeros { 1, 4, 4 })
      assert.is_false(ok); assert.matches("bad argument #2", msg)
    end)
  end)

  describe(".paste and .draw_text", function()
    it("paste copies a tile into place and draw_text marks pixels", function()
      local sheet = tensor.zeros { 3, 20, 40 }
      data.paste(sheet, tensor.ones { 1, 2, 3 }, 5, 10)
      assert.are.equal(1, sheet:get(2, 5, 10))
      assert.are.equal(1, sheet:get(3, 6, 12))
      assert.are.equal(0, sheet:get(1, 7, 10))
      assert.are.equal(18, sheet:sum())
      local before = sheet:sum()
      data.draw_text(sheet, "Hi", 1, 1, 1, { 1, 0, 0 })
      assert.is_true(sheet:sum() > before)
    end)
    it("raises on bad arguments", function()
      local ok, msg = pcall(data.paste, tensor.zeros { 1, 2, 2 }, "x", 1, 1)
      assert.is_false(ok); assert.matches("bad argument #2", msg)
      ok, msg = pcall(data.draw_text, tensor.zeros { 1, 2, 2 }, "x", 1, 1, 0)
      assert.is_false(ok); assert.matches("bad argument #5", msg)
      ok = pcall(data.paste, tensor.zeros { 1, 2, 2 }, tensor.zeros { 3, 1, 1 }, 1, 1)
      assert.is_false(ok)
    end)
  end)
end)
