local h = require "helpers"
local gc = require "gradcheck"
local nn = require "sfew.nn"
local tensor = require "sfew.tensor"
local sys = require "sfew.core.sys"

local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok)
  assert.matches(pattern, err)
end

describe("sfew.nn Dropout, average pooling, LeakyReLU and ELU", function()
  local pool = h.fixture("torch/avgpool2d.lua")
  local act = h.fixture("torch/activations_more.lua")

  for name, c in pairs(pool) do
    it(name .. " matches PyTorch forward and backward", function()
      local m = c.kernel and nn.AvgPool2d(c.kernel, { stride = c.stride, padding = c.padding,
        count_include_pad = c.count_include_pad }) or nn.AdaptiveAvgPool2d(c.output_size)
      local x = h.tensor(c.input)
      h.assert_close(m:forward(x), c.output, 1e-4, "output")
      h.assert_close(m:backward(x, h.tensor(c.grad_output)), c.grad_input, 1e-4, "grad_input")
      assert.are.same(m:spec(), nn.build(m:spec()):spec())
    end)
  end

  for name, c in pairs(act) do
    it(name .. " matches PyTorch forward and backward", function()
      local m = c.alpha and nn.ELU(c.alpha) or nn.LeakyReLU(c.negative_slope)
      local x = h.tensor(c.input)
      h.assert_close(m:forward(x), c.output, 1e-4, "output")
      h.assert_close(m:backward(x, h.tensor(c.grad_output)), c.grad_input, 1e-4, "grad_input")
      assert.are.same(m:spec(), nn.build(m:spec()):spec())
    end)
  end

  it("pass finite-difference checks (step 1e-2, tolerance 1e-2)", function()
    local rng = sys.rng(3)
    local x = tensor.randn({2, 2, 6, 5}, rng)
    for _, m in ipairs { nn.AvgPool2d(3, { stride = 2, padding = 1 }),
      nn.AvgPool2d(3, { stride = 2, padding = 1, count_include_pad = false }),
      nn.AdaptiveAvgPool2d({ 4, 3 }), nn.AdaptiveAvgPool2d(1) } do
      assert.is_true(gc.check(m, x, rng) <= gc.TOL, tostring(m))
    end
    -- inputs kept at least 0.1 from the kink at 0
    local y = tensor.rand({3, 5}, rng):add_(0.1) * tensor.new({1, 5}, {1, -1, 1, -1, 1})
    assert.is_true(gc.check(nn.LeakyReLU(0.2), y, rng) <= gc.TOL)
    assert.is_true(gc.check(nn.ELU(0.5), y, rng) <= gc.TOL)
  end)

  it("Dropout drops about p of the elements, scales the rest and is seeded", function()
    local x = tensor.ones({100, 100})
    local d = nn.Dropout(0.3, { rng = sys.rng(7) })
    local y = d:forward(x)
    local kept = 0
    for _, v in ipairs(y:flat()) do
      assert.is_true(v == 0 or math.abs(v - 1 / 0.7) < 1e-6)
      if v ~= 0 then kept = kept + 1 end
    end
    assert.is_true(math.abs(kept / 1e4 - 0.7) < 0.02)
    local g = d:backward(x, tensor.ones({100, 100}))
    assert.are.same(y:flat(), g:flat())
    local again = nn.Dropout(0.3, { rng = sys.rng(7) }):forward(x)
    assert.are.same(y:flat(), again:flat())
    d:evaluate()
    assert.are.same(x:flat(), d:forward(x):flat())
    assert.are.same({ type = "Dropout", p = 0.3 }, d:spec())
    assert.are.equal("nn.Dropout(0.3)", tostring(d))
  end)

  it("Dropout2d drops whole channel planes", function()
    local d = nn.Dropout2d(0.5, { rng = sys.rng(1) })
    local y = d:forward(tensor.ones({4, 8, 3, 3}))
    for n = 1, 4 do
      for c = 1, 8 do
        local first = y:get(n, c, 1, 1)
        assert.is_true(first == 0 or first == 2)
        for i = 1, 3 do for j = 1, 3 do assert.are.equal(first, y:get(n, c, i, j)) end end
      end
    end
    fails("bad argument #1 to 'forward'", function() return d:forward(tensor.ones({4, 8})) end)
  end)

  it("reject bad arguments naming them", function()
    fails("bad argument #1 to 'Dropout'", nn.Dropout, 1.5)
    fails("unknown option 'seed'", nn.Dropout, 0.5, { seed = 1 })
    fails("option 'rng' must be an sfew.Rng", nn.Dropout, 0.5, { rng = 3 })
    fails("unknown option 'paddin' %(did you mean 'padding'%?%)", nn.AvgPool2d, 2, { paddin = 1 })
    fails("bad argument #2 to 'AvgPool2d'", nn.AvgPool2d, 2, { padding = 2 })
    fails("bad argument #1 to '.-AdaptiveAvgPool2d'", nn.AdaptiveAvgPool2d, 0)
    fails("bad argument #1 to '.-AdaptiveAvgPool2d'", nn.AdaptiveAvgPool2d, { 1 })
    fails("bad argument #1 to '.-ELU'", nn.ELU, 0 / 0)
    fails("bad argument #1 to 'forward'", function()
      return nn.AvgPool2d(3):forward(tensor.ones({1, 1, 2, 2}))
    end)
  end)
end)

describe("sfew.nn CrossEntropyLoss options", function()
  local fx = h.fixture("torch/losses_more.lua")

  for name, c in pairs(fx) do
    it(name .. " matches PyTorch (class weights and label smoothing)", function()
      local t = {}
      for i, v in ipairs(c.target0) do t[i] = v + 1 end
      local opts = { label_smoothing = c.label_smoothing }
      if c.weight then opts.weight = h.tensor(c.weight) end
      local crit, x = nn.CrossEntropyLoss(opts), h.tensor(c.input)
      assert.is_true(math.abs(crit:forward(x, t) - c.loss) / c.loss < 1e-4)
      h.assert_close(crit:backward(x, t), c.grad_input, 1e-4, "grad_input")
      local back = nn.build(crit:spec())
      assert.is_true(math.abs(back:forward(x, t) - c.loss) / c.loss < 1e-4)
    end)
  end

  it("keeps the plain loss without options and rejects bad ones", function()
    assert.are.same({ type = "CrossEntropyLoss" }, nn.CrossEntropyLoss():spec())
    assert.are.equal("nn.CrossEntropyLoss()", tostring(nn.CrossEntropyLoss {}))
    assert.are.equal("nn.CrossEntropyLoss(class weights, label smoothing 0.1)",
      tostring(nn.CrossEntropyLoss { weight = { 1, 2 }, label_smoothing = 0.1 }))
    fails("unknown option 'smoothing'", nn.CrossEntropyLoss, { smoothing = 0.1 })
    fails("bad argument #1 to 'CrossEntropyLoss'", nn.CrossEntropyLoss, { label_smoothing = 2 })
    fails("bad argument #1 to 'CrossEntropyLoss'", nn.CrossEntropyLoss, { weight = "x" })
    fails("bad argument #1 to 'CrossEntropyLoss'", nn.CrossEntropyLoss, { weight = { 1, "a" } })
    local c = nn.CrossEntropyLoss { weight = { 1, 2, 3 } }
    fails("bad argument", function() return c:forward(tensor.zeros({2, 4}), { 1, 2 }) end)
    assert.are.equal(0, #c:parameters())
  end)
end)
