local nn = require "sfew.nn"
local train = require "sfew.train"
local tensor = require "sfew.tensor"
local sys = require "sfew.core.sys"

-- A tiny SGD with the optimiser protocol (the real ones live in sfew.optim).
local function sgd(params, lr)
  return {
    zero_grad = function() for _, p in ipairs(params) do p.grad:zero() end end,
    step = function() for _, p in ipairs(params) do p:add_(p.grad, -lr) end end,
  }
end

-- An "optimiser" that keeps a copy of the gradients instead of stepping.
local function recorder(params)
  local rec = {}
  rec.zero_grad = function() for _, p in ipairs(params) do p.grad:zero() end end
  rec.step = function()
    rec.grads = {}
    for i, p in ipairs(params) do rec.grads[i] = p.grad:flat() end
  end
  return rec
end

local function small_net(rng)
  return nn.Sequential {
    nn.Conv2d(1, 3, 3, {rng = rng}), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(27, 4, {rng = rng}),
  }
end

local function data(n, rng)
  local y = {}
  for i = 1, n do y[i] = rng:random(4) end
  return tensor.randn({n, 1, 8, 8}, rng), tensor.new({n}, y)
end

-- The small net, n samples and a cross-entropy criterion, all from one seed.
local function problem(seed, n)
  local rng = sys.rng(seed)
  local net = small_net(rng)
  local x, y = data(n, rng)
  return net, x, y, nn.CrossEntropyLoss()
end

describe("sfew.train", function()
  describe(".step", function()
    it("gives the gradients of one big batch when run in 3 chunks", function()
      local net, x, y, crit = problem(1, 10)
      local rec = recorder(net:parameters())
      local whole = train.step(net, crit, rec, x, y, {chunk = 10})
      local g1 = rec.grads
      local chunked = train.step(net, crit, rec, x, y, {chunk = 4})
      assert.is_true(math.abs(whole - chunked) < 1e-6)
      for i, g in ipairs(g1) do
        for j = 1, #g do
          assert.is_true(math.abs(g[j] - rec.grads[i][j]) <= 1e-5 * math.max(1, math.abs(g[j])))
        end
      end
      -- and equal to a hand-written forward/backward on the whole batch
      net:zero_grad()
      local out = net:forward(x)
      assert.is_true(math.abs(crit:forward(out, y) - whole) < 1e-6)
      net:backward(x, crit:backward(out, y))
      local p = net:parameters()[1].grad:flat()
      for j = 1, #p do assert.is_true(math.abs(p[j] - g1[1][j]) <= 1e-5) end
    end)

    it("lowers the loss with a few SGD steps", function()
      local net, x, y, crit = problem(2, 16)
      local opt = sgd(net:parameters(), 0.1)
      local first = train.step(net, crit, opt, x, y, {chunk = 5})
      local last
      for _ = 1, 10 do last = train.step(net, crit, opt, x, y, {chunk = 5}) end
      assert.is_true(last < first)
    end)

    it("works with MSELoss and a plain module", function()
      local rng = sys.rng(3)
      local lin = nn.Linear(3, 2, {rng = rng})
      local x, t = tensor.randn({7, 3}, rng), tensor.randn({7, 2}, rng)
      local rec = recorder(lin:parameters())
      local a = train.step(lin, nn.MSELoss(), rec, x, t, {chunk = 3})
      local g = rec.grads
      local b = train.step(lin, nn.MSELoss(), rec, x, t)
      assert.is_true(math.abs(a - b) < 1e-6)
      for j = 1, #g[1] do assert.is_true(math.abs(g[1][j] - rec.grads[1][j]) < 1e-5) end
    end)

    it("rejects bad arguments", function()
      local net, crit = small_net(sys.rng(1)), nn.CrossEntropyLoss()
      local x, y = data(4, sys.rng(1))
      local opt = sgd(net:parameters(), 0.1)
      local ok, err = pcall(train.step, net, crit, nil, x, y)
      assert.is_false(ok)
      assert.matches("bad argument #3 to 'train.step'", err)
      ok, err = pcall(train.step, net, crit, opt, "x", y)
      assert.is_false(ok)
      assert.matches("bad argument #4 to 'train.step'", err)
      ok, err = pcall(train.step, net, crit, opt, x, y:narrow(1, 1, 3))
      assert.is_false(ok)
      assert.matches("bad argument #5 to 'train.step'", err)
      ok, err = pcall(train.step, net, crit, opt, x, y, {chunk = 0})
      assert.is_false(ok)
      assert.matches("bad argument #6 to 'train.step'", err)
    end)
  end)

  describe(".evaluate", function()
    it("returns the mean loss and the accuracy, chunked, in evaluate mode", function()
      local net, x, y, crit = problem(4, 9)
      local loss, acc = train.evaluate(net, crit, x, y, {chunk = 4})
      local out = net:forward(x)
      assert.is_true(math.abs(loss - crit:forward(out, y)) < 1e-6)
      assert.are.equal(crit:correct(out, y) / 9, acc)
      assert.is_true(acc >= 0 and acc <= 1)
      assert.is_true(net.training)
      local mloss, macc = train.evaluate(nn.Linear(2, 2), nn.MSELoss(), tensor.ones({3, 2}),
        tensor.zeros({3, 2}))
      assert.is_true(mloss > 0)
      assert.is_nil(macc)
    end)

    it("rejects bad arguments", function()
      local ok, err = pcall(train.evaluate, nn.Linear(2, 2), nn.MSELoss(), tensor.ones({3, 2}))
      assert.is_false(ok)
      assert.matches("bad argument #4 to 'train.evaluate'", err)
    end)
  end)

  describe(".step C calls", function()
    -- Calls into C functions (lookups through C __index, methods, pcall, ipairs
    -- iterators, ...) during one 64-image step of the paper CNN: 164 when the Lua half
    -- kept the buffers; the layers own their results now, and it must stay at half.
    it("makes at most half the C calls of the buffer-keeping Sequential", function()
      local models, optim = require "sfew.models", require "sfew.optim"
      local rng = sys.rng(1)
      local net = models.paper_cnn(2, 3, {rng = rng})
      local labels = {}
      for i = 1, 64 do labels[i] = rng:random(7) end
      local x, y = tensor.rand({64, 1, 72, 90}, rng), tensor.new({64}, labels)
      local opt, crit = optim.SGD(net:parameters(), {lr = 0.01}), nn.CrossEntropyLoss()
      train.step(net, crit, opt, x, y)
      local calls = 0
      -- no collection inside the count: finalizers of other garbage are C calls too
      collectgarbage()
      collectgarbage("stop")
      debug.sethook(function()
        if debug.getinfo(2, "S").what == "C" then calls = calls + 1 end
      end, "c")
      train.step(net, crit, opt, x, y)
      debug.sethook()
      collectgarbage("restart")
      assert.is_true(calls <= 164 // 2, calls .. " C calls")
    end)
  end)

  describe(".fit options", function()
    it("refuses a batch that is not a positive integer, naming train.fit", function()
      local net = nn.Sequential {nn.Linear(2, 2)}
      local x, y = tensor.rand({4, 2}, sys.rng(1)), tensor.new({4}, {1, 2, 1, 2})
      for _, batch in ipairs {-3, 0 / 0, 0, 1.5, "8"} do
        local ok, err = pcall(train.fit, {net = net, criterion = nn.CrossEntropyLoss(),
          optimizer = sgd(net:parameters(), 0.1), x = x, y = y, epochs = 1, batch = batch,
          progress = false})
        assert.is_false(ok)
        assert.matches("train.fit: option 'batch' must be a positive integer", err, 1, true)
      end
    end)
  end)
end)
