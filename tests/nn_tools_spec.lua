-- sfew.nn module tools: net:clone, net:forward_to, net:state_dict and nn.register (a
-- Lua-defined layer that prints, clones, saves and loads like a built-in one).
local sfew = require "sfew"
local h = require "helpers"
local nn, tensor = sfew.nn, sfew.tensor

local function cnn(rng)
  return nn.Sequential { nn.Conv2d(1, 3, 3, { rng = rng }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(3 * 3 * 3, 4, { rng = rng }) }
end

-- A Lua layer: y = x * factor + shift, shift a parameter (1 x n).
local Affine = {}
Affine.__index = Affine

local function affine(spec)
  return setmetatable({ factor = spec.factor, n = spec.n, weight = tensor.zeros { 1, spec.n },
    training = true }, Affine)
end
function Affine:forward(x) self.output = x * self.factor + self.weight return self.output end
function Affine:backward(_, g) return g * self.factor end
function Affine:parameters() return { self.weight } end
function Affine:spec() return { type = "SpecAffine", factor = self.factor, n = self.n } end
function Affine:zero_grad() return self end
function Affine:train() self.training = true return self end
function Affine:evaluate() self.training = false return self end

describe("sfew.nn", function()
  describe(":clone", function()
    it("gives a deep copy with its own parameters and the same outputs", function()
      local rng = sfew.rng(1)
      local net = cnn(rng)
      net[1]:set_mask { 2 }
      net:evaluate()
      local x = tensor.randn({ 2, 1, 8, 8 }, rng)
      local state = sfew.default_rng():state()
      local copy = net:clone()
      assert.are.equal(state, sfew.default_rng():state()) -- draws nothing
      assert.are.equal(tostring(net), tostring(copy))
      assert.are.same(net:forward(x):flat(), copy:forward(x):flat())
      assert.are.same({ 2 }, copy[1]:mask())
      assert.is_false(copy.training)
      copy[5].weight:fill(0)
      assert.are_not.same(net:forward(x):flat(), copy:forward(x):flat())
      assert.are_not.equal(0, net[5].weight:get(1, 1))
    end)
  end)

  describe(":forward_to", function()
    it("returns the output of layer k", function()
      local rng = sfew.rng(2)
      local net = cnn(rng)
      local x = tensor.randn({ 2, 1, 8, 8 }, rng)
      local conv = net:forward_to(x, 1)
      assert.are.same({ 2, 3, 6, 6 }, conv:shape())
      assert.are.same(net[1]:forward(x):flat(), conv:flat())
      local relu = net:forward_to(x, 2)
      for _, v in ipairs(relu:flat()) do assert.is_true(v >= 0) end
      assert.are.same(net:forward(x):flat(), net:forward_to(x, 5):flat())
    end)
    it("refuses a layer index out of range and asks for a forward before backward", function()
      local net = cnn(sfew.rng(3))
      local x = tensor.randn({ 1, 1, 8, 8 }, sfew.rng(3))
      local ok, err = pcall(net.forward_to, net, x, 6)
      assert.is_false(ok)
      assert.matches("bad argument #2 to 'forward_to' (layer index in 1..5 expected, got 6)",
        err, 1, true)
      net:forward_to(x, 2)
      assert.is_false((pcall(net.backward, net, x, tensor.ones { 1, 4 })))
    end)
  end)

  describe(":state_dict", function()
    it("names parameters 1-based, or 0-based as PyTorch with torch = true", function()
      local net = cnn(sfew.rng(4))
      local sd, td = net:state_dict(), net:state_dict { torch = true }
      assert.are.equal(net[1].weight, sd["1.weight"])
      assert.are.equal(net[5].bias, sd["5.bias"])
      assert.are.equal(net[1].weight, td["0.weight"])
      assert.are.equal(net[5].bias, td["4.bias"])
      assert.is_nil(td["5.bias"])
      assert.is_false((pcall(net.state_dict, net, { troch = true })))
    end)
  end)

  describe(":save", function()
    it("numbers a bad option as the method's argument #2", function()
      local net = cnn(sfew.rng(8))
      local ok, err = pcall(net.save, net, "x.safetensors", { name = "torch" })
      assert.is_false(ok)
      assert.matches("bad argument #2 to 'save' (unknown option 'name' (did you mean "
        .. "'names'?))", err, 1, true)
      ok, err = pcall(nn.save, net, "x.safetensors", { extras = {} })
      assert.is_false(ok)
      assert.matches("bad argument #3 to 'save' (unknown option 'extras'", err, 1, true)
    end)
  end)

  describe(".register", function()
    local dir
    before_each(function() dir = h.tmpdir() end)
    after_each(function() h.rmdir(dir) end)

    it("refuses to save a network holding an unregistered Lua layer", function()
      local net = nn.Sequential { nn.Linear(2, 3), affine { factor = 2, n = 3 } }
      local ok, err = pcall(function() local r = net:save(dir .. "/n.safetensors") return r end)
      assert.is_false(ok)
      assert.matches("nn_tools_spec.lua:%d+: nn.save: layer 2 %(type 'SpecAffine', which "
        .. "nn.register does not know%): nn.load could not rebuild it", err)
      assert.is_nil(io.open(dir .. "/n.safetensors"))
    end)

    it("makes a Lua layer print, clone, save and load like a built-in one", function()
      nn.register("SpecAffine", function(spec) return affine(spec) end)
      local net = nn.Sequential { nn.Linear(2, 3, { rng = sfew.rng(5) }),
        affine { factor = 2, n = 3 } }
      net[2].weight:copy(tensor.new({ 1, 3 }, { 0.5, -1, 2 }))
      assert.matches("(2) nn.SpecAffine(factor=2, n=3)", tostring(net), 1, true)
      local x = tensor.randn({ 4, 2 }, sfew.rng(6))
      local want = net:forward(x):flat()
      assert.are.same(want, net:clone():forward(x):flat())
      assert.is_true(net:save(dir .. "/n.safetensors"))
      local back = assert(nn.load(dir .. "/n.safetensors"))
      assert.are.same(want, back:forward(x):flat())
      assert.are.equal(tostring(net), tostring(back))
    end)

    it("prints an instance on its own like a built-in layer when given its class", function()
      local Scale = {}
      Scale.__index = Scale
      function Scale:spec() return { type = "SpecScale", factor = self.factor } end
      local s = setmetatable({ factor = 3 }, Scale)
      assert.matches("^table: ", tostring(s))
      nn.register("SpecScale", function(spec) return setmetatable({ factor = spec.factor },
        Scale) end, Scale)
      assert.are.equal("nn.SpecScale(factor=3)", tostring(s))
      assert.is_false((pcall(nn.register, "SpecScale2", function() end, 3)))
    end)

    it("refuses built-in names and bad arguments", function()
      local ok, err = pcall(nn.register, "Linear", function() end)
      assert.is_false(ok)
      assert.matches("'Linear' is a built-in layer type", err, 1, true)
      assert.is_false((pcall(nn.register, "Bad name", function() end)))
      assert.is_false((pcall(nn.register, "Fine", 3)))
    end)
  end)
end)
