-- sfew.features PHOG: edges land in their orientation bin and pyramid cell.
local sfew = require "sfew"
local tensor = sfew.tensor
local features = require "sfew.features"

local image = require("helpers").image -- image(h, w, f): pixel (i, j) = f(i, j), 0-based

-- Histogram of cell c (1-based, row-major) of level l, as a flat list of bins.
local function cell(p, bins, l, c)
  local base = 0
  for k = 0, l - 1 do base = base + 4 ^ k end
  return p:narrow(1, math.tointeger((base + c - 1) * bins) + 1, bins):flat()
end

describe("sfew.features", function()
  describe(".phog", function()
    it("puts a vertical edge in the 90-degree bin of the cells it crosses", function()
      -- Edge between columns 5 and 6 of 32: in the left half (level 1) and the first
      -- quarter (level 2). Bin 5 of 8 holds [90, 112.5) degrees.
      local p = features.phog(image(32, 32, function(_, j) return j >= 6 and 1 or 0 end))
      assert.are.same({ 8 * (1 + 4 + 16 + 64) }, p:shape())
      assert.is_true(math.abs(p:sum() - 1) < 1e-6)
      local l0 = cell(p, 8, 0, 1)
      assert.is_true(math.abs(l0[5] - 0.25) < 1e-6)
      assert.is_true(math.abs(cell(p, 8, 1, 1)[5] - 0.125) < 1e-6)
      assert.is_true(math.abs(cell(p, 8, 1, 3)[5] - 0.125) < 1e-6)
      assert.are.equal(0, cell(p, 8, 1, 2)[5])
      assert.is_true(math.abs(cell(p, 8, 2, 1)[5] - 0.0625) < 1e-6)
      assert.are.equal(0, cell(p, 8, 2, 2)[5])
      for b = 1, 8 do
        if b ~= 5 then assert.are.equal(0, l0[b]) end
      end
    end)

    it("puts a horizontal edge in the first bin", function()
      local p = features.phog(image(16, 16, function(i) return i >= 8 and 0.5 or 0 end),
                              { levels = 0, bins = 4 })
      assert.are.same({ 1, 0, 0, 0 }, p:flat())
    end)

    it("is all zero for a flat image", function()
      local p = features.phog(image(8, 8, function() return 0.3 end), { levels = 1 })
      assert.are.same({ 8 * 5 }, p:shape())
      assert.are.equal(0, p:max())
    end)

    it("gives a batch one row per image", function()
      local x = tensor.rand({ 2, 1, 12, 12 }, sfew.rng(5))
      local p = features.phog(x, { levels = 2, angle = 360 })
      assert.are.same({ 2, 8 * 21 }, p:shape())
      assert.are.same(features.phog(x:select(2), { levels = 2, angle = 360 }):flat(),
                      p:select(2):flat())
    end)

    it("raises on bad options and images", function()
      for _, opts in ipairs{ { bins = 0 }, { levels = 7 }, { angle = 90 }, "x" } do
        local ok, msg = pcall(features.phog, tensor.zeros{ 8, 8 }, opts)
        assert.is_false(ok)
        assert.matches("bad argument #2", msg)
      end
      local ok, msg = pcall(features.phog, tensor.zeros{ 2, 3, 8, 8 })
      assert.is_false(ok)
      assert.matches("bad argument #1", msg)
    end)
  end)
end)
