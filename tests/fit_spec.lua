-- sfew.fit (train.fit's loop): a net with BatchNorm takes each minibatch in one forward
-- pass, so its statistics are those of the whole minibatch, as in PyTorch.
local sfew = require "sfew"
local nn, tensor, train, optim = sfew.nn, sfew.tensor, sfew.train, sfew.optim

local function bn_net(seed)
  local rng = sfew.rng(seed)
  return nn.Sequential { nn.Conv2d(1, 2, 3, { rng = rng }), nn.BatchNorm2d(2), nn.ReLU(),
    nn.Flatten(), nn.Linear(32, 2, { rng = rng }) }
end

-- The largest difference between two nets' named tensors (weights and BatchNorm statistics).
local function max_diff(a, b)
  local pa, pb, d = a:named_parameters(), b:named_parameters(), 0
  for i = 1, #pa do
    local fa, fb = pa[i].tensor:flat(), pb[i].tensor:flat()
    for k = 1, #fa do d = math.max(d, math.abs(fa[k] - fb[k])) end
  end
  return d
end

describe("sfew.fit", function()
  describe(".fit", function()
    it("normalises a BatchNorm net's minibatch larger than a chunk in one pass", function()
      local n, batch = 300, 150 -- above train.DEFAULT_CHUNK rows per minibatch
      assert.is_true(batch > train.DEFAULT_CHUNK)
      local x = tensor.randn({ n, 1, 6, 6 }, sfew.rng(7))
      local labels = {}
      for i = 1, n do labels[i] = i % 2 + 1 end
      local y = tensor.new({ n }, labels)
      local crit = nn.CrossEntropyLoss()
      local net = bn_net(1)
      train.fit { net = net, criterion = crit, optimizer = optim.SGD(net:parameters(),
        { lr = 0.1 }), x = x, y = y, epochs = 1, batch = batch, rng = sfew.rng(5),
        progress = false, eval_initial = false }
      -- the same epoch by hand, one minibatch per pass
      local whole, chunked = bn_net(1), bn_net(1)
      local perm = sfew.rng(5):permutation(n)
      for _, m in ipairs { { whole, batch }, { chunked, train.DEFAULT_CHUNK } } do
        local opt = optim.SGD(m[1]:parameters(), { lr = 0.1 })
        for s = 1, n, batch do
          local idx = table.move(perm, s, s + batch - 1, 1, {})
          train.step(m[1], crit, opt, x:index(idx), y:index(idx), { chunk = m[2] })
        end
      end
      assert.is_true(max_diff(net, whole) < 1e-6)
      assert.is_true(max_diff(net, chunked) > 1e-4) -- chunks would have given another net
    end)
  end)

  describe("train.step", function()
    it("takes a BatchNorm net's whole batch in one pass unless a chunk is given", function()
      local n = 300
      local x = tensor.randn({ n, 1, 6, 6 }, sfew.rng(8))
      local labels = {}
      for i = 1, n do labels[i] = i % 2 + 1 end
      local y = tensor.new({ n }, labels)
      local crit = nn.CrossEntropyLoss()
      local nets = {}
      for k, opts in ipairs { {}, { chunk = n }, { chunk = train.DEFAULT_CHUNK } } do
        nets[k] = bn_net(2)
        train.step(nets[k], crit, optim.SGD(nets[k]:parameters(), { lr = 0.1 }), x, y, opts)
      end
      assert.is_true(max_diff(nets[1], nets[2]) < 1e-6)
      assert.is_true(max_diff(nets[1], nets[3]) > 1e-4)
    end)
  end)
end)