-- sfew.train with threads: the same seed and thread count give the same weights, bit for
-- bit; a different thread count only changes the order of the weight-gradient sums. And
-- the results the layers keep for the next step.
local models = require "sfew.models"
local nn = require "sfew.nn"
local train = require "sfew.train"
local tensor = require "sfew.tensor"
local optim = require "sfew.optim"
local sys = require "sfew.core.sys"

-- The paper's network shape at a small size, a few Adam steps; returns the flat weights.
local function run(threads, chunk)
  local old = sys.threads()
  sys.threads(threads)
  local rng = sys.rng(11)
  local net = models.paper_cnn(4, 6, {rng = rng, height = 26, width = 34})
  local labels = {}
  for i = 1, 40 do labels[i] = rng:random(7) end
  local x, y = tensor.rand({40, 1, 26, 34}, rng), tensor.new({40}, labels)
  local opt = optim.Adam(net:parameters(), {lr = 1e-2})
  local losses = {}
  local crit = nn.CrossEntropyLoss()
  for s = 1, 4 do losses[s] = train.step(net, crit, opt, x, y, {chunk = chunk}) end
  sys.threads(old)
  local flat = {}
  for _, p in ipairs(net:parameters()) do
    for _, v in ipairs(p:flat()) do flat[#flat + 1] = v end
  end
  return flat, losses
end

describe("sfew.train", function()
  describe(".step with threads", function()
    it("gives identical weights for the same seed and thread count", function()
      local a, la = run(2, 16)
      local b, lb = run(2, 16)
      assert.are.same(la, lb)
      assert.are.same(a, b)
    end)

    it("agrees between 1 and 2 threads within float rounding", function()
      local a = run(1, 40)
      local b = run(2, 40)
      assert.are.equal(#a, #b)
      for i = 1, #a do
        assert.is_true(math.abs(a[i] - b[i]) <= 1e-4 * (1 + math.abs(a[i])),
          ("weight %d: %g vs %g"):format(i, a[i], b[i]))
      end
    end)
  end)

  describe(".step buffers", function()
    it("keeps the layers' results by default and frees them with keep = false", function()
      local rng = sys.rng(2)
      local net = nn.Sequential { nn.Linear(3, 4, {rng = rng}), nn.ReLU(), nn.Linear(4, 2) }
      local x, y = tensor.rand({5, 3}, rng), tensor.new({5}, {1, 2, 1, 2, 1})
      local opt = optim.SGD(net:parameters(), {lr = 0.1})
      local crit = nn.CrossEntropyLoss()
      local a = train.step(net, crit, opt, x, y)
      assert.is_not_nil(net[1].output)
      local b = train.step(net, crit, opt, x, y, {keep = false})
      assert.is_nil(net[1].output)
      assert.is_true(b < a)
    end)
  end)
end)
