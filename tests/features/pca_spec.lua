-- sfew.features PCA: known axes and variances, projections, subsets, bad input.
local sfew = require "sfew"
local tensor = sfew.tensor
local features = require "sfew.features"

-- Rows +-a u1, +-b u2, +-c u3 for an orthonormal (u1, u2, u3): mean 0, and the
-- covariance (divisor N - 1 = 5) has eigenvalues 2a^2/5, 2b^2/5, 2c^2/5 on those axes.
local s, co = math.sin(math.pi / 6), math.cos(math.pi / 6)
local u = { { co, s, 0 }, { -s, co, 0 }, { 0, 0, 1 } }
local amp = { 3, 2, 1 }
local function data(shift)
  local flat = {}
  for i = 1, 3 do
    for _, sign in ipairs{ 1, -1 } do
      for j = 1, 3 do flat[#flat + 1] = sign * amp[i] * u[i][j] + shift[j] end
    end
  end
  return tensor.new({ 6, 3 }, flat)
end

local function near(a, b, tol)
  return math.abs(a - b) <= (tol or 1e-5)
end

describe("sfew.features", function()
  describe(".pca_fit", function()
    it("recovers the axes and variances of data with a known covariance", function()
      local pca = features.pca_fit(data{ 1, -2, 0.5 }, 3)
      local c = pca.components:totable()
      for i = 1, 3 do
        for j = 1, 3 do assert.is_true(near(c[i][j], u[i][j]), ("axis %d, %d"):format(i, j)) end
        assert.is_true(near(pca.explained_variance:get(i), 2 * amp[i] ^ 2 / 5, 1e-4))
        assert.is_true(near(pca.explained_ratio:get(i), amp[i] ^ 2 / 14))
      end
      assert.is_true(near(pca.mean:get(1), 1) and near(pca.mean:get(2), -2))
    end)

    it("projects rows onto the kept axes", function()
      local pca = features.pca_fit(data{ 0, 0, 0 }, 2)
      assert.are.same({ 2, 3 }, pca.components:shape())
      local y = pca:transform(tensor.new({ 2, 3 }, { 3 * co, 3 * s, 0, -2 * s, 2 * co, 5 }))
      local t = y:totable()
      assert.is_true(near(t[1][1], 3) and near(t[1][2], 0))
      assert.is_true(near(t[2][1], 0) and near(t[2][2], 2))
      assert.matches("sfew.PCA%(2 of 3", tostring(pca))
    end)

    it("orders components by explained variance, largest loading positive", function()
      local x = tensor.randn({ 50, 6 }, sfew.rng(7))
      local pca = features.pca_fit(x, 6)
      local v = pca.explained_variance:flat()
      for i = 2, 6 do assert.is_true(v[i] <= v[i - 1]) end
      assert.is_true(near(pca.explained_ratio:sum(), 1))
      for _, row in ipairs(pca.components:totable()) do
        local big = 1
        for j = 2, 6 do if math.abs(row[j]) > math.abs(row[big]) then big = j end end
        assert.is_true(row[big] > 0)
      end
    end)

    it("raises on a bad k or matrix", function()
      local x = tensor.zeros{ 4, 3 }
      for _, k in ipairs{ 0, 4 } do
        local ok, msg = pcall(features.pca_fit, x, k)
        assert.is_false(ok)
        assert.matches("bad argument #2", msg)
      end
      local ok, msg = pcall(features.pca_fit, tensor.zeros{ 4 }, 1)
      assert.is_false(ok)
      assert.matches("bad argument #1", msg)
      ok, msg = pcall(features.pca_fit, x, "two")
      assert.is_false(ok)
      assert.matches("bad argument #2", msg)
    end)
  end)

  describe(":transform", function()
    it("raises on rows of the wrong width", function()
      local pca = features.pca_fit(data{ 0, 0, 0 }, 1)
      local ok, msg = pcall(pca.transform, pca, tensor.zeros{ 2, 4 })
      assert.is_false(ok)
      assert.matches("bad argument #1", msg)
      ok, msg = pcall(pca.transform, pca, 3)
      assert.is_false(ok)
      assert.matches("bad argument #1", msg)
    end)
  end)
end)
