-- sfew.prune.remove_channels through a BatchNorm2d between two convolutions.
local sfew = require "sfew"
local nn, prune, tensor = sfew.nn, sfew.prune, sfew.tensor

describe("sfew.prune with BatchNorm", function()
  it("removes channels through a BatchNorm2d as masking them does (in evaluation)", function()
    local rng = sfew.rng(4)
    local net = nn.Sequential { nn.Conv2d(1, 4, 3, { rng = rng }), nn.BatchNorm2d(4), nn.ReLU(),
      nn.MaxPool2d(2), nn.Conv2d(4, 3, 2, { rng = rng }), nn.Flatten() }
    local x = tensor.randn({6, 1, 9, 9}, rng)
    for _ = 1, 3 do net:forward(x) end -- running statistics away from 0 and 1
    net[2].weight:copy(tensor.randn({4}, rng))
    net[2].bias:copy(tensor.randn({4}, rng))
    net:evaluate()
    net[1]:set_mask({ 2, 4 })
    local masked = net:forward(x):clone()
    prune.remove_channels(net, 1, { 2, 4 })
    assert.are.same({ 2 }, net[2].weight:shape())
    assert.are.same({ 2 }, net[2]:named_buffers()[2].tensor:shape())
    local d = net:forward(x) - masked
    assert.is_true(math.max(d:max(), -d:min()) < 1e-5)
    local back = nn.build(net:spec())
    assert.are.equal(2, back[2]:spec().num_features)
  end)
end)
