local h = require "helpers"
local gc = require "gradcheck"
local nn = require "sfew.nn"
local tensor = require "sfew.tensor"
local sys = require "sfew.core.sys"

describe("sfew.nn.Linear", function()
  local fx = h.fixture("torch/linear.lua")

  local function from_fixture()
    local l = nn.Linear(5, 4)
    l.weight:copy(h.tensor(fx.weight))
    l.bias:copy(h.tensor(fx.bias))
    return l
  end

  describe(":forward", function()
    it("matches PyTorch", function()
      h.assert_close(from_fixture():forward(h.tensor(fx.input)), fx.output, 1e-4, "output")
    end)

    it("names the layer and the shapes on a bad input", function()
      local l = nn.Linear(5, 4)
      local ok, err = pcall(function() return l:forward(tensor.zeros({2, 3})) end)
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'forward' %(Linear expects 2%-D N x 5 input, got 2x3%)",
        err)
      ok, err = pcall(function() return l:forward("x") end)
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'forward'", err)
    end)
  end)

  describe(":backward", function()
    it("matches PyTorch for grad_input, grad_weight and grad_bias", function()
      local l = from_fixture()
      local x = h.tensor(fx.input)
      l:forward(x)
      local gi = l:backward(x, h.tensor(fx.grad_output))
      h.assert_close(gi, fx.grad_input, 1e-4, "grad_input")
      h.assert_close(l.weight.grad, fx.grad_weight, 1e-4, "grad_weight")
      h.assert_close(l.bias.grad, fx.grad_bias, 1e-4, "grad_bias")
    end)

    it("adds into parameter gradients until zero_grad", function()
      local l = from_fixture()
      local x, g = h.tensor(fx.input), h.tensor(fx.grad_output)
      l:backward(x, g)
      l:backward(x, g)
      local twice = {}
      for i, v in ipairs(fx.grad_bias.data) do twice[i] = 2 * v end
      h.assert_close(l.bias.grad, {shape = fx.grad_bias.shape, data = twice}, 1e-4)
      l:zero_grad()
      assert.are.equal(0, l.weight.grad:sum())
    end)

    it("rejects a grad_output of the wrong shape", function()
      local l = nn.Linear(5, 4)
      local ok, err = pcall(function()
        return l:backward(tensor.zeros({3, 5}), tensor.zeros({3, 5}))
      end)
      assert.is_false(ok)
      assert.matches("bad argument #2 to 'backward'", err)
    end)
  end)

  it("passes a finite-difference check (step 1e-2, tolerance 1e-2)", function()
    local rng = sys.rng(7)
    local l = nn.Linear(6, 3, {rng = rng})
    assert.is_true(gc.check(l, tensor.randn({4, 6}, rng), rng) <= gc.TOL)
  end)

  it("initialises uniformly within 1/sqrt(in) from the given generator", function()
    local a = nn.Linear(100, 50, {rng = sys.rng(3)})
    local b = nn.Linear(100, 50, {rng = sys.rng(3)})
    assert.are.same(a.weight:flat(), b.weight:flat())
    assert.is_true(a.weight:max() <= 0.1 and a.weight:min() >= -0.1)
    assert.is_true(a.weight:max() > 0.09 and a.bias:min() < -0.05)
  end)

  it("exposes the same weight and bias objects, sharing storage", function()
    local l = nn.Linear(2, 2, {bias = false})
    assert.are.equal(l.weight, l.weight)
    assert.is_nil(l.bias)
    assert.are.equal(1, #l:parameters())
    l.weight:fill(1)
    assert.are.same({{2, 2}}, l:forward(tensor.ones({1, 2})):totable())
  end)

  it("has a spec and a description", function()
    local l = nn.Linear(780, 7)
    assert.are.same({type = "Linear", in_features = 780, out_features = 7, bias = true},
      l:spec())
    assert.are.equal("nn.Linear(780 -> 7)", tostring(l))
  end)

  describe(":set_params", function()
    it("replaces the parameters and refreshes layer.weight", function()
      local l = nn.Linear(3, 2)
      local old = l.weight
      l:set_params(tensor.ones({4, 3}), tensor.zeros({4}))
      assert.are_not.equal(old, l.weight)
      assert.are.same({4, 3}, l.weight:shape())
      assert.are.same({4, 3}, l.weight.grad:shape())
      assert.are.same({1, 4}, l:forward(tensor.ones({1, 3})):shape())
      assert.are.equal(3, l:forward(tensor.ones({1, 3})):get(1, 2))
      assert.are.equal("nn.Linear(3 -> 4)", tostring(l))
    end)

    it("rejects mismatched shapes", function()
      local l = nn.Linear(3, 2)
      local ok, err = pcall(function() l:set_params(tensor.ones({4}), tensor.zeros({4})) end)
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'set_params'", err)
      ok, err = pcall(function() l:set_params(tensor.ones({4, 3}), tensor.zeros({3})) end)
      assert.is_false(ok)
      assert.matches("bad argument #2 to 'set_params'", err)
    end)
  end)

  it("rejects bad constructor arguments", function()
    local ok, err = pcall(nn.Linear, 0, 3)
    assert.is_false(ok)
    assert.matches("bad argument #1 to '[%w.]*Linear'", err)
    ok, err = pcall(nn.Linear, 3, 2, 5)
    assert.is_false(ok)
    assert.matches("bad argument #3 to '[%w.]*Linear'", err)
  end)
end)
