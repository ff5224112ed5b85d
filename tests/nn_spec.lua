local h = require "helpers"
local nn = require "sfew.nn"
local tensor = require "sfew.tensor"
local sys = require "sfew.core.sys"

local models = require "sfew.models"

local function paper_net(c1, c2, rng)
  return models.paper_cnn(c1, c2, {rng = rng})
end

describe("sfew.nn.Sequential", function()
  describe("the paper CNN", function()
    local fx = h.fixture("torch/paper_cnn.lua")

    it("matches PyTorch: logits, loss and every gradient", function()
      local net = paper_net(4, 6, sys.rng(1))
      local names = {"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc.weight",
                     "fc.bias"}
      local params = net:parameters()
      assert.are.equal(6, #params)
      for i, name in ipairs(names) do params[i]:copy(h.tensor(fx.params[name])) end
      local x = h.tensor(fx.input)
      local y = {}
      for i, v in ipairs(fx.target0) do y[i] = v + 1 end
      local crit = nn.CrossEntropyLoss()
      local out = net:forward(x)
      h.assert_close(out, fx.output, 1e-4, "logits")
      local loss = crit:forward(out, y)
      assert.is_true(math.abs(loss - fx.loss) / fx.loss < 1e-4)
      net:zero_grad()
      local gi = net:backward(x, crit:backward(out, y))
      assert.are.same({3, 1, 72, 90}, gi:shape())
      for i, name in ipairs(names) do
        h.assert_close(params[i].grad, fx.grads[name], 1e-4, name .. " gradient")
      end
    end)
  end)

  it("indexes, counts and adds layers", function()
    local net = nn.Sequential {nn.Linear(4, 3)}
    assert.are.equal(1, #net)
    assert.are.equal(net, net:add(nn.ReLU()))
    assert.are.equal(2, #net)
    assert.are.equal("nn.ReLU()", tostring(net[2]))
    assert.is_nil(net[3])
  end)

  it("describes each layer with its output shape and counts parameters", function()
    local net = paper_net(16, 32, sys.rng(2))
    net:forward(tensor.zeros({1, 1, 72, 90}))
    local s = tostring(net)
    assert.matches("%(1%) nn.Conv2d%(1 %-> 16, 5x5%) %-> 16x68x86", s)
    assert.matches("%(8%) nn.Linear%(4160 %-> 7%) %-> 7", s)
    local count = 16 * 25 + 16 + 32 * 16 * 25 + 32 + 4160 * 7 + 7
    assert.matches(count .. " parameters", s)
  end)

  it("names parameters in order", function()
    local net = nn.Sequential {nn.Linear(2, 3), nn.ReLU(), nn.Sequential {nn.Linear(3, 1)}}
    local np = net:named_parameters()
    local names = {}
    for i, p in ipairs(np) do
      names[i] = p.name
      assert.are.equal(net:parameters()[i], p.tensor)
    end
    assert.are.same({"1.weight", "1.bias", "3.1.weight", "3.1.bias"}, names)
  end)

  it("round-trips through spec and nn.build", function()
    local net = paper_net(6, 12, sys.rng(3))
    local spec = net:spec()
    assert.are.equal("Sequential", spec.type)
    assert.are.same({type = "MaxPool2d", kernel = 2, stride = 2}, spec.layers[3])
    local copy = nn.build(spec, {rng = sys.rng(3)})
    assert.are.same(spec, copy:spec())
    local x = tensor.rand({2, 1, 72, 90}, sys.rng(4))
    assert.are.same(net:forward(x):flat(), copy:forward(x):flat())
    assert.are.same({type = "CrossEntropyLoss"}, nn.build({type = "CrossEntropyLoss"}):spec())
  end)

  it("rejects unknown specs", function()
    local ok, err = pcall(nn.build, {type = "Conv3d"})
    assert.is_false(ok)
    assert.matches("bad argument #1 to 'build'.*Conv3d", err)
    ok, err = pcall(nn.build, 5)
    assert.is_false(ok)
    assert.matches("bad argument #1 to 'build'", err)
  end)

  it("prefixes errors with the index and type of the failing layer", function()
    local net = paper_net(4, 6, sys.rng(1))
    local ok, err = pcall(function() return net:forward(tensor.zeros({2, 1, 12, 12})) end)
    assert.is_false(ok)
    assert.matches("layer 4 %(Conv2d%).*bad argument #1 to 'forward'", err)
    ok, err = pcall(function() return net:forward(tensor.zeros({2, 3})) end)
    assert.is_false(ok)
    assert.matches("layer 1 %(Conv2d%): bad argument #1 to 'forward' %(Conv2d expects", err)
    ok, err = pcall(function() return nn.Sequential {nn.ReLU(), 5} end)
    assert.is_false(ok)
    assert.matches("bad argument #1 to 'Sequential'", err)
    ok, err = pcall(function() return nn.Sequential {}:add("x") end)
    assert.is_false(ok)
    assert.matches("bad argument #1 to 'add'", err)
  end)

  it("backward needs a forward first", function()
    local net = nn.Sequential {nn.Linear(2, 2)}
    local ok, err = pcall(function()
      return net:backward(tensor.zeros({1, 2}), tensor.zeros({1, 2}))
    end)
    assert.is_false(ok)
    assert.matches("forward", err)
  end)

  it("leaves the input untouched and returns the same output tensor each call", function()
    local net = nn.Sequential {nn.Flatten(), nn.ReLU(), nn.Linear(4, 2), nn.Tanh()}
    local x = tensor.new({1, 4}, {-1, 2, -3, 4})
    local y1 = net:forward(x)
    local saved = y1:flat()
    local y2 = net:forward(x * 2)
    assert.are.same({-1, 2, -3, 4}, x:flat())
    assert.is_true(rawequal(y1, y2))
    assert.is_true(rawequal(y2, net.output))
    assert.is_true(rawequal(y2, net[4].output))
    assert.are_not.same(saved, y2:flat()) -- valid until the next call, as in Torch7
    assert.is_true(net.training)
    net:evaluate()
    assert.is_false(net.training)
    assert.is_false(net[1].training)
  end)

  it("gives a nested container the same gradients as a flat one", function()
    local rng = sys.rng(6)
    local flat = nn.Sequential {nn.Linear(3, 4, {rng = rng}), nn.Tanh(), nn.Flatten(),
                                nn.ReLU(), nn.Linear(4, 2, {rng = rng})}
    local p = flat:parameters()
    local nested = nn.Sequential {nn.Sequential {nn.Linear(3, 4), nn.Tanh()}, nn.Flatten(),
                                  nn.Sequential {nn.ReLU(), nn.Linear(4, 2)}}
    for i, q in ipairs(nested:parameters()) do q:copy(p[i]) end
    local x, g = tensor.randn({5, 3}, rng), tensor.randn({5, 2}, rng)
    for _ = 1, 2 do -- twice: the second pass runs on reused buffers
      flat:zero_grad()
      nested:zero_grad()
      assert.are.same(flat:forward(x):flat(), nested:forward(x):flat())
      assert.are.same(flat:backward(x, g):flat(), nested:backward(x, g):flat())
      for i, q in ipairs(nested:parameters()) do
        assert.are.same(p[i].grad:flat(), q.grad:flat())
      end
    end
  end)

  it("zero_grad clears every gradient", function()
    local net = nn.Sequential {nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1)}
    local x = tensor.ones({3, 2})
    net:backward(x, tensor.ones(net:forward(x):shape()))
    net:zero_grad()
    for _, p in ipairs(net:parameters()) do assert.are.equal(0, p.grad:sum()) end
  end)

  describe("results owned by the layers", function()
    it("returns the same output and grad_input tensors from each call", function()
      local rng = sys.rng(7)
      local x = tensor.randn({2, 1, 6, 6}, rng)
      for _, m in ipairs {nn.Conv2d(1, 2, 3, {rng = rng}), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Tanh(), nn.Flatten()} do
        local y = m:forward(x)
        assert.is_true(rawequal(y, m.output))
        assert.is_true(rawequal(y, m:forward(x)))
        local g = tensor.ones(y:shape())
        local gi = m:backward(x, g)
        assert.is_true(rawequal(gi, m.grad_input))
        assert.is_true(rawequal(gi, m:backward(x, g)))
      end
      local crit, logits = nn.CrossEntropyLoss(), tensor.randn({3, 4}, rng)
      assert.is_true(rawequal(crit:backward(logits, {1, 2, 3}), crit:backward(logits, {4, 3, 2})))
    end)

    it("makes a new result when the caller freed the old one or passes it as input", function()
      local relu = nn.ReLU()
      local y = relu:forward(tensor.new({1, 2}, {-1, 2}))
      y:free()
      assert.are.same({0, 2}, relu:forward(tensor.new({1, 2}, {-1, 2})):flat())
      local z = relu:forward(relu.output)
      assert.are.same({0, 2}, z:flat())
      assert.is_true(rawequal(z, relu.output))
    end)

    it("frees its results on clear", function()
      local lin = nn.Linear(2, 2)
      local y = lin:forward(tensor.ones({1, 2}))
      lin:clear()
      assert.is_nil(lin.output)
      assert.has_error(function() return y:flat() end)
      assert.are.same({1, 2}, lin:forward(tensor.ones({1, 2})):shape())
    end)

    it("keeps parameters from being replaced by accident", function()
      local lin = nn.Linear(3, 2)
      local w = lin.weight
      local ok, err = pcall(function() lin.weight = tensor.zeros({2, 3}) end)
      assert.is_false(ok)
      assert.matches("cannot assign 'weight' of nn.Linear.*set_params", err)
      ok, err = pcall(function() lin.speed = 1 end)
      assert.is_false(ok)
      assert.matches("cannot assign 'speed'", err)
      local before = w:flat()
      lin:forward(tensor.ones({1, 3}), lin.weight) -- no destination argument any more
      assert.is_true(rawequal(w, lin.weight))
      assert.is_true(rawequal(w, lin:parameters()[1]))
      assert.are.same(before, lin.weight:flat())
    end)

    it("never meets sizes whose product passes 2^63: tensors that large cannot be made",
      function()
        local ok, err = pcall(function()
          return nn.Flatten():forward(tensor.zeros({0, 1 << 40, 1 << 40}))
        end)
        assert.is_false(ok)
        assert.matches("shape has more than 4294967296 elements", err)
      end)

    it("runs a ReLU and the MaxPool2d added after it as one pass", function()
      local rng = sys.rng(8)
      local c = nn.Conv2d(1, 2, 3, {rng = rng})
      local net = nn.Sequential {c, nn.ReLU()}:add(nn.MaxPool2d(2))
      assert.are.equal(2, #net._steps)
      local x = tensor.randn({2, 1, 8, 8}, rng)
      local want = nn.MaxPool2d(2):forward(nn.ReLU():forward(c:forward(x))):flat()
      assert.are.same(want, net:forward(x):flat())
      assert.is_nil(net[2].output) -- the ReLU's output is never written
      assert.matches("%(2%) nn.ReLU%(%) %-> 2x6x6", tostring(net))
    end)

    it("lists methods and fields for completion", function()
      local complete = require "sfew.complete"
      local env = {lin = nn.Linear(2, 2), net = nn.Sequential {nn.ReLU()}}
      assert.are.same({"lin:forward"}, complete.complete("lin:fo", env))
      assert.are.same({"lin.grad_input"}, complete.complete("lin.grad_", env))
      assert.are.same({"net:forward", "net:forward_to"}, complete.complete("net:fo", env))
      assert.are.equal(nn.Sequential, getmetatable(env.net).__index)
    end)
  end)
end)
