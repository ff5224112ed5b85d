-- sfew.schedule (re-exported by sfew.optim): learning-rate sequences against PyTorch's.
local sfew = require "sfew"
local h = require "helpers"
local optim, tensor = sfew.optim, sfew.tensor

local fx = h.fixture("torch/schedules.lua")

-- SGD(lr = 0.1) on one parameter, as the fixtures were made.
local function sgd()
  return optim.SGD({tensor.zeros({1})}, {lr = 0.1})
end

-- Steps sched once per fixture epoch and compares every lr (relative 1e-6, absolute 1e-12).
local function assert_lrs(opt, sched, lrs, metrics)
  local got = {opt.lr}
  for e = 1, #lrs - 1 do
    sched:step(metrics and metrics[e])
    got[e + 1] = opt.lr
  end
  for e, want in ipairs(lrs) do
    local err = math.abs(got[e] - want)
    assert(err <= 1e-6 * math.abs(want) + 1e-12,
      ("lr %d is %.9g, PyTorch has %.9g"):format(e, got[e], want))
  end
end

describe("sfew.schedule", function()
  it("StepLR matches PyTorch's lr sequence", function()
    local opt, c = sgd(), fx.step
    assert_lrs(opt, optim.StepLR(opt, {step_size = c.step_size, gamma = c.gamma}), c.lrs)
  end)

  it("CosineAnnealingLR matches PyTorch's lr sequence past T_max", function()
    local opt, c = sgd(), fx.cosine
    assert_lrs(opt, optim.CosineAnnealingLR(opt, {T_max = c.T_max, eta_min = c.eta_min}),
      c.lrs)
  end)

  it("CosineAnnealingLR with warmup matches LinearLR then cosine in SequentialLR", function()
    local opt, c = sgd(), fx.cosine_warmup
    assert_lrs(opt, optim.CosineAnnealingLR(opt, {T_max = c.T_max, eta_min = c.eta_min,
      warmup = c.warmup}), c.lrs)
  end)

  for _, case in ipairs{"plateau_min", "plateau_max"} do
    it("ReduceLROnPlateau matches PyTorch on a metric sequence (" .. case .. ")", function()
      local opt, c = sgd(), fx[case]
      local s = optim.ReduceLROnPlateau(opt, {mode = c.mode, factor = c.factor,
        patience = c.patience, threshold = c.threshold})
      assert_lrs(opt, s, c.lrs, c.metrics)
    end)
  end

  it("works on Adam and AdamW too, and prints its state", function()
    local opt = optim.AdamW({tensor.zeros({1})}, {lr = 0.01})
    local s = optim.StepLR(opt, {step_size = 1, gamma = 0.5})
    s:step()
    assert.are.equal(0.005, opt.lr)
    assert.matches("^optim.StepLR%(step_size=1, gamma=0.5; epoch 1%)$", tostring(s))
  end)

  it("raises on bad arguments, naming the option", function()
    local opt = sgd()
    local ok, err = pcall(optim.StepLR, {}, {step_size = 2})
    assert.is_false(ok)
    assert.matches("bad argument #1 to 'StepLR' %(optimizer expected, got table%)", err)
    ok, err = pcall(optim.StepLR, opt, {step_size = 0})
    assert.is_false(ok)
    assert.matches("bad argument #2 to 'StepLR' %(option 'step_size' must be an integer", err)
    ok, err = pcall(optim.CosineAnnealingLR, opt, {T_max = 5, warmpu = 2})
    assert.is_false(ok)
    assert.matches("bad argument #2 to 'CosineAnnealingLR'.*warmup", err)
    ok, err = pcall(optim.CosineAnnealingLR, opt, {T_max = 3, warmup = 3})
    assert.is_false(ok)
    assert.matches("option 'T_max' must be an integer >= 4", err)
    ok, err = pcall(optim.ReduceLROnPlateau, opt, {mode = "up"})
    assert.is_false(ok)
    assert.matches("bad argument #2 to 'ReduceLROnPlateau' %(option 'mode'", err)
    local s = optim.ReduceLROnPlateau(opt)
    ok, err = pcall(s.step, s)
    assert.is_false(ok)
    assert.matches("bad argument #1 to 'step' %(number expected", err)
  end)
end)
