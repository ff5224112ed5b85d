local h = require "helpers"
local gc = require "gradcheck"
local nn = require "sfew.nn"
local tensor = require "sfew.tensor"
local sys = require "sfew.core.sys"

describe("sfew.nn activations", function()
  local fx = h.fixture("torch/activations.lua")
  local ctor = {relu = nn.ReLU, sigmoid = nn.Sigmoid, tanh = nn.Tanh}

  for name, make in pairs(ctor) do
    it(name .. " matches PyTorch forward and backward", function()
      local c = fx[name]
      local m = make()
      local x = h.tensor(c.input)
      h.assert_close(m:forward(x), c.output, 1e-5, "output")
      h.assert_close(m:backward(x, h.tensor(c.grad_output)), c.grad_input, 1e-5, "grad_input")
    end)

    it(name .. " passes a finite-difference check (step 1e-2, tolerance 1e-2)", function()
      local rng = sys.rng(9)
      local x = tensor.randn({3, 5}, rng)
      if name == "relu" then -- keep every input at least 0.1 from the kink
        x = tensor.rand({3, 5}, rng):add_(0.1) * tensor.new({1, 5}, {1, -1, 1, -1, 1})
      end
      assert.is_true(gc.check(make(), x, rng) <= gc.TOL)
    end)

    it(name .. " rejects a grad_output of another shape", function()
      local m = make()
      local ok, err = pcall(function()
        return m:backward(tensor.zeros({2, 2}), tensor.zeros({4}))
      end)
      assert.is_false(ok)
      assert.matches("bad argument #2 to 'backward'", err)
      ok, err = pcall(function() return m:forward(42) end)
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'forward'", err)
    end)
  end

  it("ReLU works in place with forward_ and backward_", function()
    local r = nn.ReLU()
    local x = tensor.new({4}, {-1, 2, -3, 4})
    assert.are.equal(x, r:forward_(x))
    assert.are.same({0, 2, 0, 4}, x:flat())
    local g = tensor.new({4}, {1, 1, 1, 1})
    assert.are.equal(g, r:backward_(x, g))
    assert.are.same({0, 1, 0, 1}, g:flat())
    assert.are.equal("nn.ReLU()", tostring(r))
    assert.are.same({type = "Tanh"}, nn.Tanh():spec())
  end)

  it("Flatten reshapes to N x rest and back", function()
    local f = nn.Flatten()
    local x = tensor.rand({2, 3, 4, 5}, sys.rng(1))
    local y = f:forward(x)
    assert.are.same({2, 60}, y:shape())
    assert.are.equal(x:get(2, 3, 1, 2), y:get(2, 2 * 20 + 2))
    assert.are.same({2, 3, 4, 5}, f:backward(x, y):shape())
    local ok, err = pcall(function() return f:forward(tensor.zeros({5})) end)
    assert.is_false(ok)
    assert.matches("bad argument #1 to 'forward'", err)
    ok, err = pcall(function() return f:backward(x, tensor.zeros({2, 59})) end)
    assert.is_false(ok)
    assert.matches("bad argument #2 to 'backward'", err)
  end)
end)
