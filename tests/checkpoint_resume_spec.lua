-- sfew.checkpoint as a public module, and train.fit{resume = path}: a run stopped after
-- some epochs and resumed from its checkpoint ends with exactly the weights of a run
-- that never stopped.
local sfew = require "sfew"
local h = require "helpers"
local nn, tensor = sfew.nn, sfew.tensor

local function setup()
  local net = sfew.models.paper_cnn(2, 3, { rng = sfew.rng(3), height = 24, width = 30,
    classes = 3 })
  return net, sfew.optim.Adam(net:parameters(), { lr = 0.01 })
end

local rng = sfew.rng(9)
local X = tensor.rand({ 12, 1, 24, 30 }, rng)
local Y = tensor.new({ 12 }, { 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3 })

local function fit(epochs, more)
  local net, opt = setup()
  local o = { net = net, criterion = nn.CrossEntropyLoss(), optimizer = opt, x = X, y = Y,
    epochs = epochs, batch = 5, rng = sfew.rng(4), progress = false }
  for k, v in pairs(more or {}) do o[k] = v end
  return net, sfew.train.fit(o)
end

describe("sfew.checkpoint", function()
  local dir
  before_each(function() dir = h.tmpdir() end)
  after_each(function() h.rmdir(dir) end)

  it("is a field of sfew and the module require gives", function()
    assert.are.equal(require "sfew.checkpoint", sfew.checkpoint)
    assert.is_function(sfew.checkpoint.save)
    assert.is_function(sfew.checkpoint.load)
  end)

  it("lets train.fit resume exactly where a run stopped", function()
    local straight, hist = fit(4)
    local path = dir .. "/run.safetensors"
    fit(2, { checkpoint = { path = path, every = 1 } })
    local resumed, rhist = fit(4, { resume = path })
    for i, p in ipairs(straight:parameters()) do
      assert.are.same(p:flat(), resumed:parameters()[i]:flat())
    end
    assert.are.same(hist.loss, rhist.loss)
    assert.are.equal(4, #rhist.epochs)
    -- the file is also a network file nn.load reads
    assert.is_truthy(nn.load(path))
  end)

  it("raises naming train.fit when the checkpoint does not fit", function()
    local path = dir .. "/run.safetensors"
    fit(1, { checkpoint = { path = path } })
    local net = nn.Sequential { nn.Linear(720, 3) }
    local ok, err = pcall(sfew.train.fit, { net = net, criterion = nn.CrossEntropyLoss(),
      optimizer = sfew.optim.SGD(net:parameters(), { lr = 0.1 }), x = X:reshape { 12, 720 },
      y = Y, epochs = 2, progress = false, resume = path })
    assert.is_false(ok)
    assert.matches("train.fit: cannot resume from '.*run.safetensors'", err)
    ok, err = pcall(fit, 2, { resume = dir .. "/none.safetensors" })
    assert.is_false(ok)
    assert.matches("cannot resume from '.*none.safetensors'", err)
  end)
end)
