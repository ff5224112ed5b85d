-- sfew.data.random_patches and the glue to sfew.features.
local sfew = require "sfew"
local data, tensor = sfew.data, sfew.tensor

describe("sfew.data", function()
  describe(".random_patches", function()
    it("cuts k x k patches out of the images, reproducibly", function()
      local x = tensor.zeros{1, 1, 4, 4}
      for i = 1, 4 do for j = 1, 4 do x:set(1, 1, i, j, 10 * i + j) end end
      local p = data.random_patches(x, 2, 5, sfew.rng(3))
      assert.are.same({5, 4}, p:shape())
      for r = 1, 5 do -- each row is a 2x2 block of consecutive rows and columns
        local a, b, c, d = p:get(r, 1), p:get(r, 2), p:get(r, 3), p:get(r, 4)
        assert.are.equal(a + 1, b)
        assert.are.equal(a + 10, c)
        assert.are.equal(a + 11, d)
      end
      assert.are.same(p:flat(), data.random_patches(x, 2, 5, sfew.rng(3)):flat())
    end)
    it("raises on a patch larger than the images", function()
      local ok, msg = pcall(data.random_patches, tensor.zeros{1, 1, 4, 4}, 5, 1)
      assert.is_false(ok)
      assert.matches("bad argument #2", msg)
    end)
  end)
  it("leaves the feature functions to sfew.features", function()
    assert.is_nil(data.lpq)
    assert.is_nil(data.pca_fit)
    assert.is_function(require("sfew.features").default_csv)
  end)
end)
