-- sfew.fused: the one-call training step of Linear-Sigmoid-Linear + MSE against the
-- general layer-by-layer path of train.step (the reference).
local sfew = require "sfew"
local fused = require "sfew.fused"
local core = require "sfew.core.fused"
local nn, optim, train, tensor = sfew.nn, sfew.optim, sfew.train, sfew.tensor

local function max_rel(a, b)
  local d = (a - b):abs():max()
  return d / math.max(1e-6, b:abs():max())
end

-- Trains two copies of the same net for `steps` Adam steps, one fused, one not; returns
-- the largest relative difference over the losses and parameters, and the fused net.
local function compare(I, H, N, steps)
  local rng = sfew.rng(7)
  local x, y = tensor.rand({N, I}, rng), tensor.rand({N, I}, rng)
  local nets, losses = {}, {}
  for k, on in ipairs{true, false} do
    local r = sfew.rng(3)
    local net = nn.Sequential{nn.Linear(I, H, {rng = r}), nn.Sigmoid(), nn.Linear(H, I, {rng = r})}
    local opt = optim.Adam(net:parameters(), {lr = 0.01})
    fused.enabled = on
    losses[k] = {}
    for s = 1, steps do losses[k][s] = train.step(net, nn.MSELoss(), opt, x, y) end
    nets[k] = net
  end
  fused.enabled = true
  local worst = 0
  for s = 1, steps do
    worst = math.max(worst, math.abs(losses[1][s] - losses[2][s]) / losses[2][s])
  end
  local pa, pb = nets[1]:parameters(), nets[2]:parameters()
  for i = 1, #pa do worst = math.max(worst, max_rel(pa[i], pb[i])) end
  return worst, nets[1]
end

describe("sfew.fused", function()
  describe("step", function()
    it("matches the general path on the PIC shape (11-10-11, 540 rows, 20 Adam steps)", function()
      local worst = compare(11, 10, 540, 20)
      assert.is_true(worst < 1e-5, "relative difference " .. worst)
    end)
    it("matches on odd shapes: one row, rows not a multiple of the lanes, 3-5-3", function()
      for _, s in ipairs{{3, 5, 1}, {3, 5, 17}, {1, 2, 33}, {7, 4, 100}} do
        local worst = compare(s[1], s[2], s[3], 5)
        assert.is_true(worst < 1e-5, ("%d-%d, %d rows: %g"):format(s[1], s[2], s[3], worst))
      end
    end)
    it("gives the same bits twice from the same seed", function()
      local _, a = compare(11, 10, 540, 3)
      local _, b = compare(11, 10, 540, 3)
      for i, p in ipairs(a:parameters()) do
        assert.are.equal(0, (p - b:parameters()[i]):abs():max())
      end
    end)
    it("leaves other networks to the general path", function()
      local r = sfew.rng(1)
      local relu = nn.Sequential{nn.Linear(3, 4, {rng = r}), nn.ReLU(), nn.Linear(4, 3, {rng = r})}
      assert.is_nil(fused.match(relu, nn.MSELoss(), tensor.zeros{2, 3}, tensor.zeros{2, 3}))
      local sig = nn.Sequential{nn.Linear(3, 4, {rng = r}), nn.Sigmoid(),
        nn.Linear(4, 3, {rng = r})}
      assert.is_nil(fused.match(sig, nn.CrossEntropyLoss(), tensor.zeros{2, 3}, tensor.zeros{2}))
      assert.is_not_nil(fused.match(sig, nn.MSELoss(), tensor.zeros{2, 3}, tensor.zeros{2, 3}))
    end)
  end)
  describe("core.mlp_step", function()
    it("raises on shapes that do not fit, naming the argument", function()
      local r = sfew.rng(1)
      local a, b = nn.Linear(3, 4, {rng = r}), nn.Linear(4, 3, {rng = r})
      local w = tensor.zeros{0}
      local ok, err, _ = pcall(core.mlp_step, a, b, tensor.zeros{2, 5}, tensor.zeros{2, 3}, w)
      assert.is_false(ok)
      assert.matches("bad argument #3 to '[%w_.]*mlp_step' %(mlp_fused: input is 2x5", err)
      ok, err = pcall(core.mlp_step, a, b, tensor.zeros{2, 3}, tensor.zeros{3, 3}, w)
      assert.is_false(ok)
      assert.matches("bad argument #4", err)
      _, err = pcall(core.mlp_step, a, a, tensor.zeros{2, 3}, tensor.zeros{2, 3}, w)
      assert.matches("bad argument #1.*do not chain", err)
      _, err = pcall(core.mlp_step, a, nn.ReLU(), tensor.zeros{2, 3}, tensor.zeros{2, 3}, w)
      assert.matches("bad argument #2", err)
    end)
  end)
end)
