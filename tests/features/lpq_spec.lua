-- sfew.features LPQ: codes of hand-computable images, histograms, batches, bad input.
local sfew = require "sfew"
local tensor = sfew.tensor
local features = require "sfew.features"

local image = require("helpers").image -- image(h, w, f): pixel (i, j) = f(i, j), 0-based

describe("sfew.features", function()
  describe(".lpq_codes", function()
    it("gives code 0 everywhere on a constant image", function()
      local codes = features.lpq_codes(image(12, 15, function() return 0.4 end))
      assert.are.same({ 6, 9 }, codes:shape())
      assert.are.equal(0, codes:max())
    end)

    it("reads the phase of a horizontal cosine of frequency 1/M", function()
      -- f = 0.5 + 0.5 cos(2 pi x / 7): only the (0, a) coefficient is non-zero, equal
      -- to (M^2 / 4) (cos t - i sin t) with t = 2 pi x / 7 at the centre column x, so
      -- bit 0 is cos t > 0 and bit 1 is sin t < 0.
      local m = 7
      local codes = features.lpq_codes(image(9, 20, function(_, j)
        return 0.5 + 0.5 * math.cos(2 * math.pi * j / m)
      end))
      local row = codes:select(1):flat()
      for j = 1, #row do
        local t = 2 * math.pi * (j - 1 + 3) / m
        local want = (math.cos(t) > 1e-9 and 1 or 0) + (math.sin(t) < -1e-9 and 2 or 0)
        assert.are.equal(want, row[j], "column " .. j)
      end
      assert.are.same(codes:select(1):flat(), codes:select(3):flat())
    end)

    it("keeps code 0 on a constant image when decorrelating", function()
      local codes = features.lpq_codes(image(10, 10, function() return 1 end),
                                       { decorrelate = true })
      assert.are.equal(0, codes:max())
    end)

    it("raises on a batch", function()
      local ok, msg = pcall(features.lpq_codes, tensor.zeros{ 2, 1, 9, 9 })
      assert.is_false(ok)
      assert.matches("bad argument #1", msg)
    end)
  end)

  describe(".lpq", function()
    it("puts all of a constant image in bin 1", function()
      local h = features.lpq(image(12, 12, function() return 0.7 end))
      assert.are.same({ 256 }, h:shape())
      assert.are.equal(1, h:get(1))
      assert.are.equal(1, h:sum())
    end)

    it("makes a histogram that sums to 1 per grid cell", function()
      local x = tensor.rand({ 1, 30, 40 }, sfew.rng(3))
      assert.is_true(math.abs(features.lpq(x):sum() - 1) < 1e-5)
      local g = features.lpq(x, { grid = { 2, 3 }, window = 5 })
      assert.are.same({ 6 * 256 }, g:shape())
      local cells = g:reshape{ 6, 256 }:sum(2):flat()
      for c = 1, 6 do assert.is_true(math.abs(cells[c] - 1) < 1e-5) end
      local d = features.lpq(x, { decorrelate = true })
      assert.is_true(math.abs(d:sum() - 1) < 1e-5)
    end)

    it("gives a batch the rows of its images, whatever the thread count", function()
      local x = tensor.rand({ 3, 1, 16, 18 }, sfew.rng(4))
      local before = sfew.threads()
      sfew.threads(1)
      local one = features.lpq(x)
      sfew.threads(2)
      local two = features.lpq(x)
      sfew.threads(before)
      assert.are.same({ 3, 256 }, one:shape())
      assert.are.same(one:flat(), two:flat())
      assert.are.same(features.lpq(x:select(2)):flat(), one:select(2):flat())
    end)

    it("raises on a colour image, a tiny image or a bad window", function()
      local ok, msg = pcall(features.lpq, tensor.zeros{ 3, 9, 9 })
      assert.is_false(ok)
      assert.matches("bad argument #1", msg)
      ok, msg = pcall(features.lpq, tensor.zeros{ 5, 5 })
      assert.is_false(ok)
      assert.matches("bad argument #1", msg)
      ok, msg = pcall(features.lpq, tensor.zeros{ 9, 9 }, { window = 4 })
      assert.is_false(ok)
      assert.matches("bad argument #2", msg)
      ok, msg = pcall(features.lpq, tensor.zeros{ 9, 9 }, { grid = 5 })
      assert.is_false(ok)
      assert.matches("bad argument #2", msg)
      ok, msg = pcall(features.lpq, tensor.zeros{ 9, 9 }, { decorrelate = true, rho = 1.5 })
      assert.is_false(ok)
      assert.matches("bad argument #2", msg)
      ok, msg = pcall(features.lpq, tensor.zeros{ 9, 9 }, "fast")
      assert.is_false(ok)
      assert.matches("bad argument #2", msg)
      ok, msg = pcall(features.lpq, {})
      assert.is_false(ok)
      assert.matches("bad argument #1", msg)
    end)
  end)
end)
