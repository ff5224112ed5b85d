-- sfew.train errors raised on behalf of the caller: they name the public function and
-- point at the caller's line, not at a line inside the library.
local sfew = require "sfew"
local nn, tensor = sfew.nn, sfew.tensor

local HERE = "train_errors_spec.lua:%d+: "

local function setup()
  local net = nn.Sequential { nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 3) }
  local opt = sfew.optim.SGD(net:parameters(), { lr = 0.1 })
  return net, nn.CrossEntropyLoss(), opt, tensor.randn({ 5, 3 }, sfew.rng(1))
end

describe("sfew.train errors", function()
  it("blames argument #5 of train.step for 0-based labels, at the caller's line", function()
    local net, crit, opt, x = setup()
    local y = tensor.new({ 5 }, { 0, 1, 2, 1, 0 })
    local ok, err = pcall(function() sfew.train.step(net, crit, opt, x, y) end)
    assert.is_false(ok)
    assert.matches(HERE .. "bad argument #5 to 'train.step' %(CrossEntropyLoss: target 0 of "
      .. "row 1 is outside 1..3%)", err)
    assert.not_matches("train.lua", err, 1, true)
  end)

  it("blames argument #4 of train.evaluate for bad labels", function()
    local net, crit, _, x = setup()
    local ok, err = pcall(function() sfew.train.evaluate(net, crit, x, tensor.zeros { 5 }) end)
    assert.is_false(ok)
    assert.matches(HERE .. "bad argument #4 to 'train.evaluate'", err)
    assert.is_true(net.training) -- the mode is restored after the failure
  end)

  it("names train.step and the layer when the input does not fit", function()
    local net, crit, opt = setup()
    local ok, err = pcall(function()
      sfew.train.step(net, crit, opt, tensor.zeros { 5, 2 }, tensor.ones { 5 })
    end)
    assert.is_false(ok)
    assert.matches(HERE .. "train.step: Sequential layer 1 %(Linear%)", err)
  end)

  it("names train.fit at the caller's line for a failure inside the library", function()
    local net, crit, opt, x = setup()
    local ok, err = pcall(function()
      sfew.train.fit { net = net, criterion = crit, optimizer = opt, x = x,
        y = tensor.zeros { 5 }, epochs = 1, progress = false }
    end)
    assert.is_false(ok)
    assert.matches(HERE .. "train.fit: bad argument #4 to 'train.evaluate'", err)
    assert.not_matches("fit.lua", err, 1, true)
  end)

  it("keeps the position of an error in the caller's own callback", function()
    local net, crit, opt, x = setup()
    local ok, err = pcall(sfew.train.fit, { net = net, criterion = crit, optimizer = opt, x = x,
      y = tensor.ones { 5 }, epochs = 1, progress = false,
      on_epoch = function() error("stop here") end })
    assert.is_false(ok)
    assert.matches(HERE .. "stop here", err)
  end)
end)
