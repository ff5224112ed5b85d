-- The fused ReLU + max-pool pass (MaxPool2d:forward_relu, used by Sequential) against
-- ReLU then MaxPool2d run separately.
local nn = require "sfew.nn"
local tensor = require "sfew.tensor"
local sys = require "sfew.core.sys"

local function same(a, b)
  assert.are.same(a:shape(), b:shape())
  assert.are.same(a:flat(), b:flat())
end

describe("sfew.nn.MaxPool2d", function()
  describe(":forward_relu", function()
    for _, k in ipairs {2, 3} do
      it("equals ReLU then pooling, forward and backward (kernel " .. k .. ")", function()
        local rng = sys.rng(k)
        local x = tensor.randn({3, 4, 11, 13}, rng)
        x:set(1, 1, 1, 1, 0) -- a zero and a window of non-positive values
        for i = 1, 3 do for j = 1, 3 do x:set(2, 2, i, j, -1) end end
        local g = tensor.randn({3, 4, 11 // k, 13 // k}, rng)
        local relu, pool, fused = nn.ReLU(), nn.MaxPool2d(k), nn.MaxPool2d(k)
        local r = relu:forward(x)
        local y = pool:forward(r)
        local gx = relu:backward(x, pool:backward(r, g))
        same(fused:forward_relu(x), y)
        same(fused:backward(x, g), gx)
      end)
    end

    it("writes into the pool's own output, the same tensor each call", function()
      local x = tensor.randn({1, 1, 4, 4}, sys.rng(1))
      local pool = nn.MaxPool2d(2)
      local y = pool:forward_relu(x)
      assert.is_true(rawequal(y, pool.output))
      assert.is_true(rawequal(y, pool:forward_relu(x * 2)))
      assert.are.same({1, 1, 2, 2}, y:shape())
    end)

    it("rejects bad inputs", function()
      local l = nn.MaxPool2d(2)
      local ok, err = pcall(function() return l:forward_relu(tensor.zeros({4, 4})) end)
      assert.is_false(ok)
      assert.matches("bad argument #1", err)
      ok, err = pcall(function() return l:forward_relu("x") end)
      assert.is_false(ok)
      assert.matches("bad argument #1", err)
    end)
  end)

  it("gives a Sequential the same results fused as unfused", function()
    local rng = sys.rng(5)
    local function build(r)
      return nn.Sequential { nn.Conv2d(1, 3, 3, {rng = r}), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3 * 4 * 5, 2, {rng = r}) }
    end
    local fused, plain = build(sys.rng(9)), build(sys.rng(9))
    local x, g = tensor.randn({4, 1, 10, 12}, rng), tensor.randn({4, 2}, rng)
    same(fused:forward(x), plain[5]:forward(plain[4]:forward(plain[3]:forward(
      plain[2]:forward(plain[1]:forward(x))))))
    local gx = fused:backward(x, g)
    local o1 = plain[1]:forward(x)
    local o2 = plain[2]:forward(o1)
    local o3 = plain[3]:forward(o2)
    local o4 = plain[4]:forward(o3)
    local g4 = plain[5]:backward(o4, g)
    local g1 = plain[2]:backward(o1, plain[3]:backward(o2, plain[4]:backward(o3, g4)))
    same(gx, plain[1]:backward(x, g1))
    same(fused[1].weight.grad, plain[1].weight.grad)
    same(fused[5].weight.grad, plain[5].weight.grad)
  end)
end)
