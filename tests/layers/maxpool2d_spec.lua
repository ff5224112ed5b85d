local h = require "helpers"
local gc = require "gradcheck"
local nn = require "sfew.nn"
local tensor = require "sfew.tensor"
local sys = require "sfew.core.sys"

describe("sfew.nn.MaxPool2d", function()
  local fx = h.fixture("torch/maxpool2d.lua")

  for _, case in ipairs {"k2", "k3_ragged"} do
    it("matches PyTorch forward and backward (" .. case .. ")", function()
      local c = fx[case]
      local l = nn.MaxPool2d(c.kernel)
      local x = h.tensor(c.input)
      h.assert_close(l:forward(x), c.output, 1e-6, "output")
      h.assert_close(l:backward(x, h.tensor(c.grad_output)), c.grad_input, 1e-6, "grad_input")
    end)
  end

  it("passes a finite-difference check away from ties (step 1e-2, tolerance 1e-2)", function()
    local rng = sys.rng(3)
    -- distinct values at least 0.05 apart: a 1e-2 step never changes a window's winner
    local perm = rng:permutation(2 * 2 * 7 * 7)
    local x = tensor.new({2, 2, 7, 7}, perm):mul_(0.05)
    assert.is_true(gc.check(nn.MaxPool2d(3, {stride = 2}), x, rng, 40) <= gc.TOL)
  end)

  it("uses the kernel as the default stride, in floor mode", function()
    local l = nn.MaxPool2d(3)
    assert.are.same({1, 1, 2, 3}, l:forward(tensor.zeros({1, 1, 8, 11})):shape())
    assert.are.same({type = "MaxPool2d", kernel = 3, stride = 3}, l:spec())
    assert.are.equal("nn.MaxPool2d(3)", tostring(l))
    assert.are.equal("nn.MaxPool2d(3, stride 2)", tostring(nn.MaxPool2d(3, {stride = 2})))
    assert.are.same({}, l:parameters())
  end)

  it("rejects bad inputs", function()
    local l = nn.MaxPool2d(2)
    local ok, err = pcall(function() return l:forward(tensor.zeros({4, 4})) end)
    assert.is_false(ok)
    assert.matches("bad argument #1 to 'forward' %(MaxPool2d expects 4%-D", err)
    l:forward(tensor.zeros({1, 1, 4, 4}))
    ok, err = pcall(function()
      return l:backward(tensor.zeros({1, 1, 6, 6}), tensor.zeros({1, 1, 3, 3}))
    end)
    assert.is_false(ok)
    assert.matches("bad argument #2 to 'backward'.*last forward", err)
    ok, err = pcall(nn.MaxPool2d, 0)
    assert.is_false(ok)
    assert.matches("bad argument #1 to '[%w.]*MaxPool2d'", err)
  end)
end)
