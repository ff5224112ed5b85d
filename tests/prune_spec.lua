-- sfew.prune: unit angles and kernel importance against PyTorch, and the surgery that
-- removes units and channels while keeping the network's function.
local sfew = require "sfew"
local h = require "helpers"
local prune, tensor = sfew.prune, sfew.tensor
local core = require "sfew.core.prune"

local fx = h.fixture("torch/prune.lua")

describe("sfew.prune", function()
  describe(".unit_angles", function()
    it("agrees with PyTorch's angles between centred activation vectors", function()
      local angles, dead = prune.unit_angles(h.tensor(fx.activations), { center = 0.5 })
      assert.are.same({}, dead)
      local a, b = angles:flat(), fx.angles_deg.data
      for i = 1, #a do
        -- degrees; PyTorch's float32 acos leaves up to 0.03 on its diagonal
        assert(math.abs(a[i] - b[i]) < 0.05, ("angle %d: %g vs %g"):format(i, a[i], b[i]))
      end
    end)
    it("reports a constant unit as dead", function()
      local acts = tensor.new({3, 2}, {0.1, 0.7, 0.9, 0.7, 0.4, 0.7})
      local angles, dead = prune.unit_angles(acts)
      assert.are.same({2}, dead)
      assert.are.equal(0, angles:get(1, 1))
      assert.is_true(angles:get(1, 2) ~= angles:get(1, 2)) -- NaN
    end)
    it("raises on activations that are not patterns x units", function()
      local ok, msg = pcall(prune.unit_angles, tensor.zeros{3})
      assert.is_false(ok)
      assert.matches("bad argument #1", msg)
    end)
  end)

  describe(".kernel_importance", function()
    it("agrees with PyTorch for one and for several input channels", function()
      h.assert_close(prune.kernel_importance(h.tensor(fx.conv1_weight)), fx.conv1_importance,
        1e-5, "conv1 importance")
      h.assert_close(prune.kernel_importance(h.tensor(fx.conv2_weight)), fx.conv2_importance,
        1e-5, "conv2 importance")
    end)
    it("raises on something that is not a layer or tensor", function()
      local ok, msg = pcall(prune.kernel_importance, 3)
      assert.is_false(ok)
      assert.matches("bad argument #1", msg)
    end)
  end)

  describe("surgery on tensors", function()
    it("drops rows", function()
      local t = tensor.new({3, 2}, {1, 2, 3, 4, 5, 6})
      assert.are.same({{1, 2}, {5, 6}}, core.drop_rows(t, {2}):totable())
      assert.has_error(function() core.drop_rows(t, {4}) end)
    end)
    it("folds constant inputs into the bias", function()
      -- two outputs, three inputs of two positions each
      local w = tensor.new({2, 6}, {1, 2, 3, 4, 5, 6, 1, 1, 1, 1, 1, 1})
      local b = tensor.new({2}, {0, 10})
      local w2, b2 = core.remove_inputs(w, b, 3, {2}, {0, 0.5, 0})
      assert.are.same({{1, 2, 5, 6}, {1, 1, 1, 1}}, w2:totable())
      assert.are.same({3.5, 11}, b2:totable())
    end)
    it("merges similar and complementary units", function()
      local w = tensor.new({1, 2}, {2, 3})
      local b = tensor.new({1}, {1})
      core.merge_unit(w, b, 1, 2, false)
      assert.are.same({{5, 3}}, w:totable())
      core.merge_unit(w, b, 1, 2, true)
      assert.are.same({{2, 3}}, w:totable())
      assert.are.same({4}, b:totable())
    end)
  end)
end)
