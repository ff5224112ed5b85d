-- sfew.prune on real networks: unit surgery keeps the autoencoder's outputs, masking keeps
-- kernels at zero through training, channel removal equals masking, importance pruning
-- stops at the threshold.
local sfew = require "sfew"
local nn, prune, tensor = sfew.nn, sfew.prune, sfew.tensor

local function max_diff(a, b)
  local d = a - b
  return math.max(d:max(), -d:min())
end

-- An 4 -> 3 -> 4 sigmoid autoencoder whose hidden unit 3 copies unit 1 (same incoming
-- weights) so the two are identical.
local function autoencoder(rng)
  local net = nn.Sequential{ nn.Linear(4, 3, { rng = rng }), nn.Sigmoid(),
    nn.Linear(3, 4, { rng = rng }) }
  local w = net[1].weight
  for j = 1, 4 do w:set(3, j, w:get(1, j)) end
  net[1].bias:set(3, net[1].bias:get(1))
  return net
end

describe("sfew.prune on networks", function()
  local rng, x
  before_each(function()
    rng = sfew.rng(4)
    x = tensor.randn({12, 4}, rng)
  end)

  it("merges two identical units without changing the outputs", function()
    local net = autoencoder(rng)
    local before = net:forward(x):clone()
    local angles, dead = prune.hidden_angles(net, x)
    assert.are.same({}, dead)
    assert.is_true(angles:get(1, 3) < 1e-3)
    local rec = prune.pic_step(net, x)
    assert.are.equal("similar", rec.action)
    assert.are.same({2, 4}, net[1].weight:shape())
    assert.are.same({4, 2}, net[3].weight:shape())
    assert.is_true(max_diff(net:forward(x), before) < 1e-5)
  end)

  it("folds a complementary sigmoid unit exactly", function()
    local net = autoencoder(rng)
    -- unit 3 = -(unit 1) before the sigmoid, so a_3 = 1 - a_1
    for j = 1, 4 do net[1].weight:set(3, j, -net[1].weight:get(1, j)) end
    net[1].bias:set(3, -net[1].bias:get(1))
    local before = net:forward(x):clone()
    prune.remove_unit(net, 1, 3, { mode = "complementary", into = 1 })
    assert.is_true(max_diff(net:forward(x), before) < 1e-5)
  end)

  it("removes a dead unit, folding its constant output into the bias", function()
    local net = autoencoder(rng)
    for j = 1, 4 do net[1].weight:set(2, j, 0) end
    local before = net:forward(x):clone()
    local _, dead = prune.hidden_angles(net, x)
    assert.are.same({2}, dead)
    assert.are.equal("constant", prune.pic_step(net, x).action)
    assert.is_true(max_diff(net:forward(x), before) < 1e-5)
  end)

  it("prunes by threshold until no pair is alike", function()
    local net = autoencoder(rng)
    local log = prune.distinctiveness(net, x)
    assert.is_true(#log >= 1)
    assert.are.equal(2, net[1].weight:size(1))
  end)

  it("keeps masked kernels at zero through training", function()
    local net = nn.Sequential{ nn.Conv2d(1, 3, 3, { rng = rng }), nn.ReLU(), nn.Flatten(),
      nn.Linear(3 * 4 * 4, 2, { rng = rng }) }
    prune.mask_kernels(net[1], { 2 })
    local opt = sfew.optim.Adam(net:parameters(), { lr = 0.1 })
    local xi, y = tensor.randn({4, 1, 6, 6}, rng), tensor.new({4}, {1, 2, 1, 2})
    for _ = 1, 3 do sfew.train.step(net, nn.CrossEntropyLoss(), opt, xi, y) end
    assert.are.equal(0, net[1].weight[2]:abs():sum())
    assert.is_true(prune.kernel_importance(net[1]):get(2) == 0)
  end)

  it("removes channels physically with the same outputs as masking", function()
    local net = nn.Sequential{ nn.Conv2d(1, 4, 3, { rng = rng }), nn.ReLU(), nn.MaxPool2d(2),
      nn.Conv2d(4, 3, 3, { rng = rng }), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 2 * 2, 2,
        { rng = rng }) }
    local xi = tensor.randn({3, 1, 10, 10}, rng)
    prune.mask_kernels(net[1], { 1, 3 })
    net:evaluate()
    local before = net:forward(xi):clone()
    prune.remove_channels(net, 1, { 1, 3 })
    assert.are.same({2, 1, 3, 3}, net[1].weight:shape())
    assert.are.same({3, 2, 3, 3}, net[4].weight:shape())
    assert.is_true(max_diff(net:forward(xi), before) < 1e-5)
  end)

  it("removes channels before a Linear after Flatten", function()
    local net = nn.Sequential{ nn.Conv2d(1, 3, 3, { rng = rng }), nn.Tanh(), nn.Flatten(),
      nn.Linear(3 * 4 * 4, 2, { rng = rng }) }
    local xi = tensor.randn({2, 1, 6, 6}, rng)
    prune.mask_kernels(net[1], { 2 })
    local before = net:forward(xi):clone()
    prune.remove_channels(net, 1, { 2 })
    assert.are.same({2, 2 * 4 * 4}, net[4].weight:shape())
    assert.is_true(max_diff(net:forward(xi), before) < 1e-5)
  end)

  it("stops importance pruning at the loss threshold", function()
    local net = nn.Sequential{ nn.Conv2d(1, 4, 3, { rng = rng }), nn.ReLU(), nn.Flatten(),
      nn.Linear(4 * 4 * 4, 2, { rng = rng }) }
    local xi, y = tensor.randn({8, 1, 6, 6}, rng), tensor.new({8}, {1, 2, 1, 2, 1, 2, 1, 2})
    local ce = nn.CrossEntropyLoss()
    local function measure()
      return { train_loss = sfew.train.evaluate(net, ce, xi, y) }
    end
    local records, masked = prune.prune_by_importance(net, 1, measure, { threshold = 1e-6 })
    assert.is_true(#records >= 1 and #records <= 4)
    assert.is_true(#masked < 4)
    assert.are.equal(#records - 1 - (records[#records].overshoot and 1 or 0), #masked)
    -- min importance rises (the least important kernel goes first)
    for i = 2, #records do
      assert.is_true(records[i].min_importance >= records[i - 1].min_importance)
    end
  end)

  it("raises on a layer of the wrong type", function()
    local net = nn.Sequential{ nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 2) }
    assert.has_error(function() prune.remove_channels(net, 1, { 1 }) end,
      "remove_channels: layer 1 is Linear, not Conv2d")
    assert.has_error(function() prune.remove_unit(net, 1, 5) end)
  end)
end)
