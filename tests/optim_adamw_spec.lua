-- sfew.optim: AdamW and clip_grad_norm against PyTorch, state round trips, bad arguments.
local sfew = require "sfew"
local h = require "helpers"
local optim, tensor = sfew.optim, sfew.tensor

local fx = h.fixture("torch/optim_more.lua")

describe("sfew.optim", function()
  describe("AdamW", function()
    for _, case in ipairs{"adamw", "adamw_big"} do
      it("matches PyTorch for " .. case .. " over four steps", function()
        local hy = fx[case].hyper
        local p = h.tensor(fx.start)
        local opt = optim.AdamW({p}, {lr = hy.lr, betas = hy.betas, eps = hy.eps,
          weight_decay = hy.weight_decay})
        for i, g in ipairs(fx.grads) do
          p.grad:copy(h.tensor(g))
          opt:step()
          h.assert_close(p, fx[case].params_after[i], 1e-4, "step " .. i)
        end
      end)
    end

    it("defaults to weight_decay 0.01 and prints as AdamW", function()
      local opt = optim.AdamW({tensor.zeros({2})})
      assert.are.equal(0.01, opt.weight_decay)
      assert.are.equal(1e-3, opt.lr)
      assert.matches("^optim.AdamW%(lr=0.001, betas=%(0.9, 0.999%), eps=1e%-08, "
        .. "weight_decay=0.01; 1 parameters%)$", tostring(opt))
    end)

    it("keeps decoupled decay through a state_dict round trip", function()
      local p1, p2 = h.tensor(fx.start), h.tensor(fx.start)
      local hy = fx.adamw_big.hyper
      local o = {lr = hy.lr, betas = hy.betas, eps = hy.eps, weight_decay = hy.weight_decay}
      local a, b = optim.AdamW({p1}, o), optim.AdamW({p2}, o)
      p1.grad:copy(h.tensor(fx.grads[1]))
      a:step()
      p2:copy(p1)
      b:load_state_dict(a:state_dict())
      for i = 2, 4 do
        p1.grad:copy(h.tensor(fx.grads[i]))
        p2.grad:copy(h.tensor(fx.grads[i]))
        a:step()
        b:step()
      end
      h.assert_close(p2, fx.adamw_big.params_after[4], 1e-4, "after reload")
    end)

    it("refuses an Adam state and bad options", function()
      local adam = optim.Adam({tensor.zeros({2})})
      local ok, err = pcall(function()
        optim.AdamW({tensor.zeros({2})}):load_state_dict(adam:state_dict())
      end)
      assert.is_false(ok)
      assert.matches("not from an AdamW optimizer", err)
      ok, err = pcall(optim.AdamW, {tensor.zeros({2})}, {weight_decay = -1})
      assert.is_false(ok)
      assert.matches("bad argument #2 to '[%w.]*AdamW'", err)
    end)
  end)

  describe("clip_grad_norm", function()
    for _, case in ipairs{"clip", "clip_none"} do
      it("matches PyTorch's clip_grad_norm_ (" .. case .. ")", function()
        local c = fx[case]
        local ps = {}
        for i, g in ipairs(c.grads) do
          ps[i] = tensor.zeros(g.shape)
          ps[i].grad = h.tensor(g)
        end
        local total = optim.clip_grad_norm(ps, c.max_norm)
        assert.is_true(math.abs(total - c.total_norm) <= 1e-4 * c.total_norm)
        for i, p in ipairs(ps) do h.assert_close(p.grad, c.grads_after[i], 1e-4, "grad " .. i) end
      end)
    end

    it("skips parameters without a gradient", function()
      local p, q = tensor.zeros({2}), tensor.zeros({2})
      p.grad = tensor.from({3, 4})
      assert.are.equal(5, optim.clip_grad_norm({p, q}, 10))
      assert.is_nil(q.grad)
    end)

    it("raises on bad arguments", function()
      local ok, err = pcall(optim.clip_grad_norm, {1}, 1)
      assert.is_false(ok)
      assert.matches("bad argument #1 to '[%w.]*clip_grad_norm'.*not a live tensor", err)
      ok, err = pcall(optim.clip_grad_norm, {}, -1)
      assert.is_false(ok)
      assert.matches("bad argument #2 to '[%w.]*clip_grad_norm'", err)
    end)
  end)
end)
