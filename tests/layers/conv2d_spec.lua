local h = require "helpers"
local gc = require "gradcheck"
local nn = require "sfew.nn"
local tensor = require "sfew.tensor"
local sys = require "sfew.core.sys"

describe("sfew.nn.Conv2d", function()
  local fx = h.fixture("torch/conv2d.lua")

  local function from_fixture(c)
    local w = c.weight.shape
    local l = nn.Conv2d(w[2], w[1], w[3], {stride = c.stride, padding = c.padding})
    l.weight:copy(h.tensor(c.weight))
    l.bias:copy(h.tensor(c.bias))
    return l
  end

  for _, case in ipairs {"k3", "k5_gray", "k3_stride2_pad1"} do
    it("matches PyTorch forward and backward (" .. case .. ")", function()
      local c = fx[case]
      local l = from_fixture(c)
      local x = h.tensor(c.input)
      h.assert_close(l:forward(x), c.output, 1e-4, "output")
      local gi = l:backward(x, h.tensor(c.grad_output))
      h.assert_close(gi, c.grad_input, 1e-4, "grad_input")
      h.assert_close(l.weight.grad, c.grad_weight, 1e-4, "grad_weight")
      h.assert_close(l.bias.grad, c.grad_bias, 1e-4, "grad_bias")
    end)
  end

  it("gives the same results with 1 and 2 threads", function()
    local c = fx.k3
    local old = sys.threads()
    local res = {}
    for t = 1, 2 do
      sys.threads(t)
      local l = from_fixture(c)
      local x = h.tensor(c.input)
      res[t] = {l:forward(x):flat(), l:backward(x, h.tensor(c.grad_output)):flat(),
                l.weight.grad:flat()}
    end
    sys.threads(old)
    for k = 1, 3 do assert.is_true(h.max_rel_err(res[1][k], res[2][k]) < 1e-5) end
  end)

  it("passes a finite-difference check (step 1e-2, tolerance 1e-2)", function()
    local rng = sys.rng(11)
    local l = nn.Conv2d(2, 3, 3, {stride = 2, padding = 1, rng = rng})
    assert.is_true(gc.check(l, tensor.randn({2, 2, 5, 6}, rng), rng) <= gc.TOL)
    l = nn.Conv2d(1, 2, 2, {rng = rng})
    assert.is_true(gc.check(l, tensor.randn({3, 1, 4, 4}, rng), rng) <= gc.TOL)
  end)

  describe(":forward", function()
    it("names the layer and the shapes on a bad input", function()
      local l = nn.Conv2d(1, 16, 5)
      local ok, err = pcall(function() return l:forward(tensor.zeros({2, 3})) end)
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'forward' %(Conv2d expects 4%-D N x 1 x H x W "
        .. "input, got 2x3%)", err, 1)
      ok, err = pcall(function() return l:forward(tensor.zeros({1, 1, 3, 3})) end)
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'forward'.*smaller", err)
    end)
  end)

  describe(":backward", function()
    it("rejects a grad_output of the wrong shape", function()
      local l = nn.Conv2d(1, 2, 3)
      local ok, err = pcall(function()
        return l:backward(tensor.zeros({1, 1, 5, 5}), tensor.zeros({1, 2, 2, 2}))
      end)
      assert.is_false(ok)
      assert.matches("bad argument #2 to 'backward'", err)
    end)
  end)

  it("has a spec and a description", function()
    local l = nn.Conv2d(1, 16, 5)
    assert.are.same({type = "Conv2d", in_channels = 1, out_channels = 16, kernel = 5,
                     stride = 1, padding = 0, bias = true}, l:spec())
    assert.are.equal("nn.Conv2d(1 -> 16, 5x5)", tostring(l))
    assert.are.equal("nn.Conv2d(2 -> 3, 3x3, stride 2, padding 1)",
      tostring(nn.Conv2d(2, 3, 3, {stride = 2, padding = 1})))
    assert.are.same({{1, 1, 5, 5}, {1}}, {l.weight:shape(), l.bias:shape()} and
      {nn.Conv2d(1, 1, 5).weight:shape(), nn.Conv2d(1, 1, 5).bias:shape()})
  end)

  describe(":set_mask", function()
    it("zeroes the masked kernels' weights and weight gradients, keeping the bias", function()
      local rng = sys.rng(5)
      local l = nn.Conv2d(1, 3, 3, {rng = rng})
      local b2 = l.bias[2]
      l:set_mask({2})
      assert.are.same({2}, l:mask())
      local x = tensor.randn({2, 1, 5, 5}, rng)
      local y = l:forward(x)
      assert.are.equal(0, l.weight[2]:numel() > 0 and math.abs(l.weight[2]:sum()) or 1)
      assert.is_true(math.abs(y:get(1, 2, 1, 1) - b2) < 1e-6)
      l:backward(x, tensor.ones(y:shape()))
      assert.are.equal(0, math.abs(l.weight.grad[2]:sum()))
      assert.is_true(math.abs(l.bias.grad[2]) > 0)
      assert.is_true(math.abs(l.weight.grad[1]:sum()) > 0)
      l:set_mask(nil)
      assert.are.same({}, l:mask())
    end)

    it("rejects kernels out of range", function()
      local l = nn.Conv2d(1, 3, 3)
      local ok, err = pcall(function() l:set_mask({4}) end)
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'set_mask'", err)
    end)
  end)

  describe(":set_params", function()
    it("replaces the parameters with new shapes", function()
      local l = nn.Conv2d(2, 4, 3)
      l:set_params(tensor.ones({3, 1, 3, 3}), tensor.zeros({3}))
      assert.are.same({3, 1, 3, 3}, l.weight:shape())
      assert.are.same({3}, l.bias.grad:shape())
      local y = l:forward(tensor.ones({1, 1, 4, 4}))
      assert.are.same({1, 3, 2, 2}, y:shape())
      assert.are.equal(9, y:get(1, 3, 2, 2))
      assert.are.equal(1, l:spec().in_channels)
    end)

    it("rejects a weight with another kernel size", function()
      local l = nn.Conv2d(2, 4, 3)
      local ok, err = pcall(function()
        l:set_params(tensor.ones({3, 2, 5, 5}), tensor.zeros({3}))
      end)
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'set_params'", err)
    end)
  end)

  it("rejects bad constructor arguments", function()
    local ok, err = pcall(nn.Conv2d, 1, 16)
    assert.is_false(ok)
    assert.matches("bad argument #3 to '[%w.]*Conv2d'", err)
    ok, err = pcall(nn.Conv2d, 1, 16, 5, {stride = 0})
    assert.is_false(ok)
    assert.matches("bad argument #4 to '[%w.]*Conv2d'", err)
  end)
end)
