local h = require "helpers"
local gc = require "gradcheck"
local nn = require "sfew.nn"
local tensor = require "sfew.tensor"
local sys = require "sfew.core.sys"

describe("sfew.nn BatchNorm", function()
  local fx = h.fixture("torch/batchnorm.lua")
  local cases = { bn2d = nn.BatchNorm2d, bn1d = nn.BatchNorm1d, bn1d_3d = nn.BatchNorm1d }

  for name, make in pairs(cases) do
    it(name .. " matches PyTorch over two training steps and one evaluation step", function()
      local c = fx[name]
      local m = make(c.weight.shape[1], { eps = c.eps, momentum = c.momentum })
      m.weight:copy(h.tensor(c.weight))
      m.bias:copy(h.tensor(c.bias))
      local buf = m:named_buffers()
      local function step(s, what)
        local x = h.tensor(s.input)
        h.assert_close(m:forward(x), s.output, 1e-4, what .. " output")
        m:zero_grad()
        h.assert_close(m:backward(x, h.tensor(s.grad_output)), s.grad_input, 1e-4,
          what .. " grad_input")
        h.assert_close(m.weight.grad, s.grad_weight, 1e-4, what .. " grad_weight")
        h.assert_close(m.bias.grad, s.grad_bias, 1e-4, what .. " grad_bias")
      end
      for i, s in ipairs(c.train) do
        step(s, "step " .. i)
        h.assert_close(buf[1].tensor, s.running_mean, 1e-4, "running_mean")
        h.assert_close(buf[2].tensor, s.running_var, 1e-4, "running_var")
      end
      m:evaluate()
      step(c.eval, "evaluation")
    end)
  end

  it("passes finite-difference checks in training and in evaluation", function()
    local rng = sys.rng(5)
    local m = nn.BatchNorm2d(3)
    m.weight:copy(tensor.rand({3}, rng):add_(0.5))
    local x = tensor.randn({4, 3, 3, 3}, rng)
    gc.TOL = 1e-2
    assert.is_true(gc.check(m, x, rng) <= gc.TOL)
    m:evaluate()
    assert.is_true(gc.check(m, x, rng) <= gc.TOL)
    assert.is_true(gc.check(nn.BatchNorm1d(5, { affine = false }), tensor.randn({6, 5}, rng),
      rng) <= gc.TOL)
  end)

  it("prints, describes itself and rebuilds from its spec", function()
    local m = nn.BatchNorm2d(8, { eps = 1e-3, momentum = 0.3 })
    assert.are.equal("nn.BatchNorm2d(8, eps 0.001, momentum 0.3)", tostring(m))
    assert.are.equal("nn.BatchNorm1d(4, no affine)",
      tostring(nn.BatchNorm1d(4, { affine = false })))
    local spec = m:spec()
    assert.are.same({ type = "BatchNorm2d", num_features = 8, eps = 1e-3, momentum = 0.3,
      affine = true }, spec)
    assert.are.same(spec, nn.build(spec):spec())
    assert.are.equal(0, #nn.BatchNorm1d(4, { affine = false }):parameters())
  end)

  it("saves and loads its running statistics with the network", function()
    local rng = sys.rng(2)
    local net = nn.Sequential { nn.Conv2d(1, 3, 3, { rng = rng }), nn.BatchNorm2d(3),
      nn.Flatten(), nn.Linear(12, 2, { rng = rng }), nn.BatchNorm1d(2, { affine = false }) }
    local x = tensor.randn({5, 1, 4, 4}, rng)
    for _ = 1, 3 do net:forward(x) end
    net:evaluate()
    local y = net:forward(x):clone()
    local dir = os.tmpname()
    os.remove(dir)
    local path = dir .. ".safetensors"
    assert(net:save(path))
    local back = assert(nn.load(path))
    os.remove(path)
    back:evaluate()
    assert.is_true(h.max_rel_err(back:forward(x), y) < 1e-6)
    local names = {}
    for _, np in ipairs(back:named_parameters()) do names[#names + 1] = np.name end
    assert.are.same({ "1.weight", "1.bias", "2.weight", "2.bias", "2.running_mean",
      "2.running_var", "4.weight", "4.bias", "5.running_mean", "5.running_var" }, names)
  end)

  it("rejects bad sizes, options and inputs with the argument's position", function()
    local function fails(pattern, f, ...)
      local ok, err = pcall(f, ...)
      assert.is_false(ok)
      assert.matches(pattern, err)
    end
    fails("batchnorm_spec.lua:%d+: bad argument #1 to 'BatchNorm2d'", function()
      local m = nn.BatchNorm2d(0) -- the error points at this line
      return m
    end)
    fails("unknown option 'momentun' %(did you mean 'momentum'%?%)", nn.BatchNorm2d, 2,
      { momentun = 0.1 })
    fails("bad argument #2 to 'BatchNorm1d'", nn.BatchNorm1d, 2, { eps = -1 })
    local m = nn.BatchNorm2d(3)
    fails("bad argument #1 to 'forward'", function()
      return m:forward(tensor.zeros({2, 4, 3, 3}))
    end)
    fails("bad argument #1 to 'forward'", function()
      return m:forward(tensor.zeros({1, 3, 1, 1}))
    end)
    fails("bad argument #1 to 'forward'", function() return m:forward("x") end)
  end)
end)
