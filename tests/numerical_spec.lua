-- Reliability: train.fit stops on NaN or Inf in the loss or in the weights, saying at
-- which epoch and in which layer, and the last checkpoint on disk is the last good one.
local sfew = require "sfew"
local h = require "helpers"
local nn, T = sfew.nn, sfew.tensor

local function setup_net()
  local rng = sfew.rng(5)
  local net = nn.Sequential { nn.Linear(3, 4, { rng = rng }), nn.ReLU(),
    nn.Linear(4, 2, { rng = rng }) }
  local x = T.randn({ 8, 3 }, rng)
  local y = T.new({ 8 }, { 1, 2, 1, 2, 1, 2, 1, 2 })
  return net, x, y
end

-- Runs fit for 5 epochs, calling poison(net) after epoch 2; returns the error message.
local function fit_poisoned(path, poison)
  local net, x, y = setup_net()
  local ok, msg = pcall(sfew.train.fit, {
    net = net, criterion = nn.CrossEntropyLoss(), x = x, y = y, epochs = 5,
    optimizer = sfew.optim.Adam(net:parameters(), { lr = 1e-2 }), progress = false,
    checkpoint = { path = path, every = 1 },
    on_epoch = function(epoch) if epoch == 2 then poison(net) end end,
  })
  assert.is_false(ok, "fit did not stop")
  return tostring(msg)
end

local function assert_good_checkpoint(path)
  local ts, meta = assert(sfew.io.load(path))
  local extra = require("sfew.json").decode(meta["sfew.extra"])
  assert.are.equal(2, extra.epoch)
  for name, t in pairs(ts) do assert.is_true(t:all_finite(), name .. " is not finite") end
  assert.is_truthy(nn.load(path))
end

describe("sfew.train.fit", function()
  local dir
  before_each(function() dir = h.tmpdir() end)
  after_each(function() h.rmdir(dir) end)

  it("stops at the epoch whose loss is NaN and keeps the last good checkpoint", function()
    local path = dir .. "/net.safetensors"
    local msg = fit_poisoned(path, function(net) net[3].weight:set(1, 1, 0 / 0) end)
    assert.matches("training diverged at epoch 3: the loss is [%-]?nan", msg)
    assert.is_truthy(msg:find("last good checkpoint: " .. path, 1, true))
    assert_good_checkpoint(path)
  end)

  it("names the layer whose weights went infinite while the loss stayed finite", function()
    local path = dir .. "/net.safetensors"
    -- ReLU turns the -Inf pre-activation into 0, so the loss stays finite
    local msg = fit_poisoned(path, function(net) net[1].bias:set(1, -math.huge) end)
    assert.is_truthy(msg:find("training diverged at epoch 3: layer 1 (Linear) bias holds NaN "
      .. "or Inf", 1, true), msg)
    assert_good_checkpoint(path)
  end)
end)
