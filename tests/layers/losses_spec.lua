local gc = require "gradcheck"
local h = require "helpers"
local nn = require "sfew.nn"
local tensor = require "sfew.tensor"
local sys = require "sfew.core.sys"

describe("sfew.nn criteria", function()
  local fx = h.fixture("torch/losses.lua")

  local function targets1()
    local t = {}
    for i, v in ipairs(fx.cross_entropy.target0) do t[i] = v + 1 end
    return t
  end

  describe("CrossEntropyLoss", function()
    it("matches PyTorch with a list or a tensor of 1-based targets", function()
      local c, x = nn.CrossEntropyLoss(), h.tensor(fx.cross_entropy.input)
      local t = targets1()
      assert.is_true(math.abs(c:forward(x, t) - fx.cross_entropy.loss) < 1e-5)
      h.assert_close(c:backward(x, t), fx.cross_entropy.grad_input, 1e-5, "grad_input")
      local tt = tensor.new({#t}, t)
      assert.is_true(math.abs(c:forward(x, tt) - fx.cross_entropy.loss) < 1e-5)
      h.assert_close(c:backward(x, tt), fx.cross_entropy.grad_input, 1e-5, "grad_input")
    end)

    it("has a gradient matching finite differences (step 1e-2, tolerance 1e-3)", function()
      local rng = sys.rng(8)
      local c, x, t = nn.CrossEntropyLoss(), tensor.randn({3, 4}, rng), {2, 4, 1}
      assert.is_true(gc.criterion(c, x, t) < 1e-3)
    end)

    it("is stable for huge logits", function()
      local c = nn.CrossEntropyLoss()
      local loss = c:forward(tensor.new({1, 3}, {1000, 0, -1000}), {2})
      assert.is_true(math.abs(loss - 1000) < 1e-3)
      assert.is_true(c:backward(tensor.new({1, 3}, {1000, 0, -1000}), {2}):all_finite())
    end)

    it("counts correct rows", function()
      local c = nn.CrossEntropyLoss()
      assert.are.equal(2, c:correct(tensor.new({3, 2}, {1, 0, 0, 1, 1, 0}), {1, 2, 2}))
    end)

    it("rejects out-of-range targets and bad logits", function()
      local c, x = nn.CrossEntropyLoss(), tensor.zeros({2, 3})
      local ok, err = pcall(function() return c:forward(x, {1, 4}) end)
      assert.is_false(ok)
      assert.matches("bad argument #2 to 'forward' %(CrossEntropyLoss: target 4 of row 2 is "
        .. "outside 1..3%)", err)
      ok, err = pcall(function() return c:backward(x, {0, 1}) end)
      assert.is_false(ok)
      assert.matches("bad argument #2 to 'backward'", err)
      ok, err = pcall(function() return c:forward(x, {1.5, 1}) end)
      assert.is_false(ok)
      assert.matches("bad argument #2 to 'forward'", err)
      ok, err = pcall(function() return c:forward(x, {1}) end)
      assert.is_false(ok)
      assert.matches("bad argument #2 to 'forward'", err)
      ok, err = pcall(function() return c:forward(tensor.zeros({2}), {1, 1}) end)
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'forward'", err)
    end)
  end)

  describe("MSELoss", function()
    it("matches PyTorch", function()
      local c = nn.MSELoss()
      local x, t = h.tensor(fx.mse.input), h.tensor(fx.mse.target)
      assert.is_true(math.abs(c:forward(x, t) - fx.mse.loss) < 1e-5)
      h.assert_close(c:backward(x, t), fx.mse.grad_input, 1e-5, "grad_input")
      assert.are.equal("nn.MSELoss()", tostring(c))
    end)

    it("has a gradient matching finite differences (step 1e-2, tolerance 1e-3)", function()
      local rng = sys.rng(2)
      local c = nn.MSELoss()
      local x, t = tensor.randn({3, 4}, rng), tensor.randn({3, 4}, rng)
      assert.is_true(gc.criterion(c, x, t) < 1e-3)
    end)

    it("rejects a target of another shape", function()
      local c = nn.MSELoss()
      local ok, err = pcall(function()
        return c:forward(tensor.zeros({2, 3}), tensor.zeros({3, 2}))
      end)
      assert.is_false(ok)
      assert.matches("bad argument #2 to 'forward'", err)
      ok, err = pcall(function() return c:backward(tensor.zeros({2, 3}), {1}) end)
      assert.is_false(ok)
      assert.matches("bad argument #2 to 'backward'", err)
    end)
  end)
end)
