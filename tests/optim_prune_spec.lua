-- sfew.optim after pruning: an optimiser built on parameters that a layer has since
-- replaced (set_params, prune.remove_channels, prune.remove_unit) refuses to step them
-- instead of updating tensors the network no longer uses.
local sfew = require "sfew"
local nn, optim, prune, tensor = sfew.nn, sfew.optim, sfew.prune, sfew.tensor

local function cnn(rng)
  return nn.Sequential { nn.Conv2d(1, 4, 3, { rng = rng }), nn.ReLU(),
    nn.Conv2d(4, 3, 3, { rng = rng }), nn.Flatten(), nn.Linear(3 * 4 * 4, 2, { rng = rng }) }
end

local function step_error(opt)
  local ok, err = pcall(opt.step, opt)
  assert.is_false(ok)
  return tostring(err)
end

describe("sfew.optim", function()
  describe("after pruning", function()
    it("refuses to step a parameter that remove_channels replaced, naming it", function()
      local rng = sfew.rng(1)
      local net = cnn(rng)
      local opt = optim.SGD(net:parameters(), { lr = 0.1 })
      local x, y = tensor.randn({ 5, 1, 8, 8 }, rng), tensor.new({ 5 }, { 1, 1, 2, 1, 2 })
      sfew.train.step(net, nn.CrossEntropyLoss(), opt, x, y)
      prune.remove_channels(net, 1, { 2 })
      local err = step_error(opt)
      assert.matches("SGD: parameter 1 is the weight of an nn.Conv2d that set_params (or "
        .. "pruning) has since replaced; build the optimiser again from net:parameters()",
        err, 1, true)
      -- zero_grad refuses too, so a training step fails before its forward pass
      assert.is_false((pcall(opt.zero_grad, opt)))
    end)

    it("trains again with an optimiser built after pruning", function()
      local rng = sfew.rng(2)
      local net = cnn(rng)
      local x, y = tensor.randn({ 5, 1, 8, 8 }, rng), tensor.new({ 5 }, { 1, 1, 2, 1, 2 })
      prune.remove_channels(net, 1, { 2 })
      local opt = optim.Adam(net:parameters(), { lr = 0.01 })
      local before = net[1].weight:clone()
      sfew.train.step(net, nn.CrossEntropyLoss(), opt, x, y)
      assert.are_not.same(before:flat(), net[1].weight:flat())
    end)

    it("refuses a Linear's bias that remove_unit replaced", function()
      local net = nn.Sequential { nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 2) }
      local p = net:parameters()
      local opt = optim.SGD({ p[2] }, { lr = 0.1 })
      prune.remove_unit(net, 1, 3, { mode = "drop" })
      assert.matches("parameter 1 is the bias of an nn.Linear", step_error(opt), 1, true)
    end)

    it("keeps stepping parameters that were only copied into", function()
      local lin = nn.Linear(2, 2)
      local opt = optim.SGD(lin:parameters(), { lr = 0.1 })
      lin.weight:copy(tensor.ones { 2, 2 })
      assert.is_true((pcall(opt.step, opt)))
    end)
  end)
end)
