-- sfew.optim: SGD and Adam against PyTorch's steps, state round trips, bad options.
local sfew = require "sfew"
local h = require "helpers"
local optim, tensor = sfew.optim, sfew.tensor

local fx = h.fixture("torch/optim.lua")

-- A fresh parameter at the fixture's start, and an optimiser of kind over it.
local function setup(case)
  local p = h.tensor(fx.start)
  local hy = fx[case].hyper
  local opt
  if case:match("^adam") then
    opt = optim.Adam({p}, {lr = hy.lr, betas = hy.betas, eps = hy.eps,
      weight_decay = hy.weight_decay})
  else
    opt = optim.SGD({p}, {lr = hy.lr, momentum = hy.momentum, weight_decay = hy.weight_decay})
  end
  return p, opt
end

local function apply(p, opt, i)
  p.grad:copy(h.tensor(fx.grads[i]))
  opt:step()
end

describe("sfew.optim", function()
  for _, case in ipairs{"sgd", "sgd_momentum", "adam", "adam_wd"} do
    it("matches PyTorch for " .. case .. " over three steps", function()
      local p, opt = setup(case)
      for i = 1, 3 do
        apply(p, opt, i)
        h.assert_close(p, fx[case].params_after[i], 1e-5, case .. " step " .. i)
      end
    end)
  end

  describe(":state_dict", function()
    for _, case in ipairs{"sgd_momentum", "adam_wd"} do
      it("resumes " .. case .. " exactly in a fresh optimiser", function()
        local p, opt = setup(case)
        apply(p, opt, 1)
        local sd = opt:state_dict()
        local q, opt2 = setup(case)
        q:copy(p)
        opt2.lr = 123 -- overwritten by the state
        opt2:load_state_dict(sd)
        apply(p, opt, 2); apply(p, opt, 3)
        apply(q, opt2, 2); apply(q, opt2, 3)
        assert.are.same(p:flat(), q:flat())
        h.assert_close(q, fx[case].params_after[3], 1e-5)
      end)
    end
    it("holds moments, step counts and options as strings", function()
      local p, opt = setup("adam")
      apply(p, opt, 1)
      local sd = opt:state_dict()
      assert.are.equal("Adam", sd.meta.type)
      assert.are.equal("1", sd.meta["1.step"])
      assert.are.equal(0.001, tonumber(sd.meta.lr))
      assert.are.same({6}, sd.tensors["1.exp_avg"]:shape())
      assert.is_true(tensor.is_tensor(sd.tensors["1.exp_avg_sq"]))
    end)
    it("refuses a state of another shape or kind", function()
      local _, opt = setup("adam")
      local sd = opt:state_dict()
      local q = tensor.zeros{2, 3}
      local other = optim.Adam({q})
      local ok, msg = pcall(function() other:load_state_dict(sd) end)
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'load_state_dict'", msg)
      assert.matches("shape 6, parameter 1 has 2x3", msg)
      local sgd = optim.SGD({tensor.zeros{6}}, {lr = 1})
      ok, msg = pcall(function() sgd:load_state_dict(sd) end)
      assert.is_false(ok)
      assert.matches("bad argument #1", msg)
      ok, msg = pcall(function() sgd:load_state_dict(5) end)
      assert.is_false(ok)
      assert.matches("bad argument #1", msg)
    end)
  end)

  describe(".SGD and .Adam", function()
    it("give parameters without a gradient a zero one", function()
      local p = tensor.ones{2, 2}
      optim.Adam({p})
      assert.are.same({2, 2}, p.grad:shape())
      assert.are.equal(0, p.grad:sum())
    end)
    it("use PyTorch's Adam defaults and print them", function()
      local opt = optim.Adam({tensor.zeros{3}, tensor.zeros{2}})
      assert.are.equal(1e-3, opt.lr)
      assert.are.equal(0.9, opt.beta1)
      assert.are.equal(0.999, opt.beta2)
      assert.are.equal(1e-8, opt.eps)
      assert.matches("^optim%.Adam%(lr=0%.001, .*; 2 parameters%)$", tostring(opt))
      assert.matches("^optim%.SGD%(lr=0%.5", tostring(optim.SGD({}, {lr = 0.5})))
    end)
    it("keep their parameters alive", function()
      local opt = optim.SGD({tensor.ones{4}}, {lr = 1})
      collectgarbage(); collectgarbage()
      opt.params[1].grad:fill(1)
      opt:step()
      assert.are.equal(0, opt.params[1]:sum())
    end)
    it("take nesterov momentum and dampening as PyTorch", function()
      local p = tensor.new({1}, {1})
      local opt = optim.SGD({p}, {lr = 0.1, momentum = 0.9, nesterov = true})
      p.grad:fill(1); opt:step()      -- buf = 1, d = 1 + 0.9 = 1.9
      assert.is_true(math.abs(p:item() - 0.81) < 1e-6)
      local q = tensor.new({1}, {1})
      local o2 = optim.SGD({q}, {lr = 1, momentum = 0.5, dampening = 0.5})
      q.grad:fill(1); o2:step(); o2:step() -- buf 1, then 0.5 + 0.5 = 1
      assert.is_true(math.abs(q:item() + 1) < 1e-6)
    end)
    it("raise on bad options with the argument number", function()
      local ps = {tensor.zeros{2}}
      local cases = {
        {optim.SGD, {lr = 0}, "lr must be positive"},
        {optim.SGD, {}, "'lr' is required"},
        {optim.SGD, {lr = 1, momentum = "x"}, "must be a number"},
        {optim.SGD, {lr = 1, nesterov = true}, "nesterov"},
        {optim.Adam, {lr = -1}, "lr must be positive"},
        {optim.Adam, {betas = {0.9}}, "betas"},
        {optim.Adam, {betas = {0.9, 1.5}}, "beta2"},
        {optim.Adam, {learning_rate = 1}, "unknown option 'learning_rate'"},
        {optim.Adam, 7, "table expected"},
      }
      for _, c in ipairs(cases) do
        local ok, msg = pcall(c[1], ps, c[2])
        assert.is_false(ok)
        assert.matches("bad argument #2", msg)
        assert.matches(c[3], msg, 1, true)
      end
      local ok, msg = pcall(optim.Adam, {tensor.zeros{2}, "w"})
      assert.is_false(ok)
      assert.matches("bad argument #1 to '[%w.]*Adam'", msg)
      ok, msg = pcall(optim.Adam, nil)
      assert.is_false(ok)
      assert.matches("bad argument #1", msg)
    end)
    it("check a new lr and keep the old one when it is bad", function()
      local opt = optim.Adam({tensor.zeros{2}})
      opt.lr = 0.5
      assert.are.equal(0.5, opt.lr)
      local ok, msg = pcall(function() opt.lr = -1 end)
      assert.is_false(ok)
      assert.matches("lr must be positive", msg)
      assert.are.equal(0.5, opt.lr)
      assert.has_error(function() opt.colour = 1 end)
    end)
  end)

  describe(":step and :zero_grad", function()
    it("zero every gradient", function()
      local a, b = tensor.ones{2}, tensor.ones{3}
      a.grad = tensor.ones{2}; b.grad = tensor.ones{3}
      local opt = optim.SGD({a, b}, {lr = 1})
      opt:zero_grad()
      assert.are.equal(0, a.grad:sum() + b.grad:sum())
    end)
    it("raise when a gradient was removed", function()
      local a = tensor.ones{2}
      local opt = optim.SGD({a}, {lr = 1})
      a.grad = nil
      local ok, msg = pcall(opt.step, opt)
      assert.is_false(ok)
      assert.matches("parameter 1 has no gradient", msg)
      ok, msg = pcall(opt.step, 5)
      assert.is_false(ok)
      assert.matches("bad argument #1", msg)
    end)
  end)
end)
