-- sfew.prune: the centre the hidden units' outputs are taken about before their angles.
local sfew = require "sfew"
local nn, prune = sfew.nn, sfew.prune

-- A 1 -> 2 -> 1 net whose two hidden units weigh the input +1 and -1: sigmoid outputs
-- s(v) and s(-v) = 1 - s(v), opposite about 0.5 but both positive (so less than 90
-- degrees apart) about 0.
local function net_with(act)
  local net = nn.Sequential{ nn.Linear(1, 2), act, nn.Linear(2, 1) }
  net[1].weight:copy(sfew.tensor.new({ 2, 1 }, { 1, -1 }))
  net[1].bias:zero()
  return net
end

describe("sfew.prune centre", function()
  local x = sfew.tensor.new({ 4, 1 }, { 0.5, 1, 1.5, 2 })

  it("takes sigmoid outputs about 0.5 unless told, and about the given centre", function()
    local net = net_with(nn.Sigmoid())
    -- about 0.5, sigmoid(v) - 0.5 and sigmoid(-v) - 0.5 are opposite: 180 degrees
    assert.is_true(math.abs(prune.hidden_angles(net, x):get(1, 2) - 180) < 1e-3)
    -- raw outputs (the paper's centre 0) are both positive: well under 90 degrees
    assert.is_true(prune.hidden_angles(net, x, { center = 0 }):get(1, 2) < 90)
  end)

  it("takes any other activation about 0 unless told", function()
    local net = net_with(nn.Tanh())
    local default = prune.hidden_angles(net, x):get(1, 2)
    assert.is_true(math.abs(default - 180) < 1e-3) -- tanh is odd: opposite about 0
    assert.are.equal(default, prune.hidden_angles(net, x, { center = 0 }):get(1, 2))
    assert.is_true(prune.hidden_angles(net, x, { center = -1 }):get(1, 2) < 90)
  end)

  it("takes unit_angles' activations raw (centre 0) unless told", function()
    local acts = sfew.tensor.new({ 3, 2 }, { 0.6, 0.4, 0.7, 0.3, 0.8, 0.2 })
    local raw = prune.unit_angles(acts):get(1, 2)
    assert.are.equal(prune.unit_angles(acts, { center = 0 }):get(1, 2), raw)
    assert.is_true(raw < 90)
    assert.is_true(math.abs(prune.unit_angles(acts, { center = 0.5 }):get(1, 2) - 180) < 1e-3)
  end)

  it("passes the centre through pic_step and distinctiveness", function()
    local a = prune.distinctiveness(net_with(nn.Sigmoid()), x, { center = 0.5 })
    assert.are.equal("complementary", a[1].action) -- 180 degrees about 0.5
    local b = prune.distinctiveness(net_with(nn.Sigmoid()), x, { center = 0 })
    assert.are.equal(0, #b) -- about 0 the pair sits between the thresholds
    local rec = prune.pic_step(net_with(nn.Sigmoid()), x, { center = 0 })
    assert.are.equal("similar", rec.action)
  end)
end)
