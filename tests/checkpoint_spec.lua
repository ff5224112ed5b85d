-- sfew.checkpoint: networks and training states through safetensors, with a fake network
-- module (spec, named_parameters, parameters) and a fake sfew.nn.build injected.
local sfew = require "sfew"
local h = require "helpers"
local checkpoint = require "sfew.checkpoint"
local tensor, optim = sfew.tensor, sfew.optim

-- A network of plain parameter tensors described by spec.sizes.
local function fake_net(spec, seed)
  local rng = sfew.rng(seed or 1)
  local named, plain = {}, {}
  for i, size in ipairs(spec.sizes) do
    local t = tensor.randn(size, rng)
    named[i] = {name = ("layer%d.weight"):format(i), tensor = t}
    plain[i] = t
  end
  return {
    spec = function() return spec end,
    named_parameters = function() return named end,
    parameters = function() return plain end,
  }
end

local SPEC = {type = "Fake", sizes = {{2, 3}, {3}}}

-- Gradient of 0.5 * |p - 1|^2 for every parameter, then one step.
local function train_step(net, opt)
  for _, p in ipairs(net:parameters()) do
    p.grad:copy(p - tensor.ones(p:shape()))
  end
  opt:step()
end

describe("sfew.checkpoint", function()
  local dir, saved_nn
  before_each(function()
    dir = h.tmpdir()
    saved_nn = package.loaded["sfew.nn"]
    package.loaded["sfew.nn"] = {build = function(spec) return fake_net(spec, 99) end}
  end)
  after_each(function()
    package.loaded["sfew.nn"] = saved_nn
    h.rmdir(dir)
  end)

  describe(".save_net and .load_net", function()
    it("rebuild the network from its spec with the same weights", function()
      local net = fake_net(SPEC, 1)
      local p = dir .. "/net.safetensors"
      assert.is_true(checkpoint.save_net(net, p, {epoch = 7, note = "hi"}))
      local net2, extra = checkpoint.load_net(p)
      assert.are.same({epoch = 7, note = "hi"}, extra)
      assert.are.same(SPEC, net2:spec())
      for i, np in ipairs(net:named_parameters()) do
        assert.are.same(np.tensor:flat(), net2:named_parameters()[i].tensor:flat())
      end
      local _, meta = sfew.io.load(p)
      assert.are.same(SPEC, require("sfew.json").decode(meta["sfew.spec"]))
    end)
    it("name a missing or an extra tensor, and a shape that differs", function()
      local p = dir .. "/net.safetensors"
      checkpoint.save_net(fake_net(SPEC), p)
      package.loaded["sfew.nn"] = {build = function()
        return fake_net({sizes = {{2, 3}, {3}, {4}}})
      end}
      local net, msg = checkpoint.load_net(p)
      assert.is_nil(net)
      assert.matches("no tensor 'layer3.weight'", msg)
      package.loaded["sfew.nn"] = {build = function() return fake_net({sizes = {{2, 3}}}) end}
      net, msg = checkpoint.load_net(p)
      assert.is_nil(net)
      assert.matches("tensor 'layer2.weight' that the network lacks", msg)
      package.loaded["sfew.nn"] = {build = function() return fake_net({sizes = {{3, 2}, {3}}}) end}
      net, msg = checkpoint.load_net(p)
      assert.is_nil(net)
      assert.matches("'layer1.weight' has shape 2x3, the network's has 3x2", msg)
    end)
    it("return nil and a message for a missing file or a file without a spec", function()
      local net, msg = checkpoint.load_net(dir .. "/none")
      assert.is_nil(net)
      assert.matches("none", msg)
      sfew.io.save(dir .. "/plain", {w = tensor.zeros{1}})
      net, msg = checkpoint.load_net(dir .. "/plain")
      assert.is_nil(net)
      assert.matches("no network spec", msg)
    end)
    it("raise on bad arguments", function()
      local ok, msg = pcall(checkpoint.save_net, 5, "p")
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'save_net'", msg)
      ok, msg = pcall(checkpoint.load_net, {})
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'load_net'", msg)
    end)
  end)

  describe(".save and .load", function()
    it("resume an interrupted run exactly", function()
      local net = fake_net(SPEC, 1)
      local opt = optim.Adam(net:parameters(), {lr = 0.1, weight_decay = 0.01})
      local rng = sfew.rng(5)
      for _ = 1, 3 do train_step(net, opt) end
      rng:uniform()
      local p = dir .. "/run.safetensors"
      assert.is_true(checkpoint.save(p, {net = net, optimizer = opt, rng = rng,
        extra = {epoch = 3}}))
      for _ = 1, 3 do train_step(net, opt) end
      local want_draw = rng:uniform()

      local net2 = fake_net(SPEC, 2)
      local opt2 = optim.Adam(net2:parameters(), {lr = 0.5})
      local rng2 = sfew.rng(77)
      local extra = checkpoint.load(p, {net = net2, optimizer = opt2, rng = rng2})
      assert.are.same({epoch = 3}, extra)
      assert.are.equal(0.1, opt2.lr)
      for _ = 1, 3 do train_step(net2, opt2) end
      assert.are.equal(want_draw, rng2:uniform())
      for i, t in ipairs(net:parameters()) do
        assert.are.same(t:flat(), net2:parameters()[i]:flat())
      end
    end)
    it("build the network from the spec when none is given", function()
      local net = fake_net(SPEC, 1)
      local p = dir .. "/run.safetensors"
      checkpoint.save(p, {net = net})
      local _, net2 = checkpoint.load(p)
      assert.are.same(net:parameters()[1]:flat(), net2:parameters()[1]:flat())
      local net3 = assert(checkpoint.load_net(p))
      assert.are.same(net:parameters()[2]:flat(), net3:parameters()[2]:flat())
    end)
    it("change nothing when the optimiser state does not fit", function()
      local net = fake_net(SPEC, 1)
      local p = dir .. "/run.safetensors"
      checkpoint.save(p, {net = net, optimizer = optim.SGD(net:parameters(), {lr = 1})})
      local net2 = fake_net(SPEC, 2)
      local before = net2:parameters()[1]:flat()
      local extra, msg = checkpoint.load(p, {net = net2,
        optimizer = optim.Adam(net2:parameters())})
      assert.is_nil(extra)
      assert.matches("not from an Adam optimizer", msg)
      assert.are.same(before, net2:parameters()[1]:flat())
      extra, msg = checkpoint.load(p, {net = net2, rng = sfew.rng(1)})
      assert.is_nil(extra)
      assert.matches("no generator state", msg)
    end)
    it("raise on bad arguments", function()
      local ok, msg = pcall(checkpoint.save, "p", 5)
      assert.is_false(ok)
      assert.matches("bad argument #2 to 'save'", msg)
      ok, msg = pcall(checkpoint.save, "p", {net = 5})
      assert.is_false(ok)
      assert.matches("bad argument #2 to 'save'", msg)
      ok, msg = pcall(checkpoint.load, 5)
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'load'", msg)
    end)
  end)

  describe(".hex and .unhex", function()
    it("round-trip binary strings", function()
      local s = "\0\1\255abc"
      assert.are.equal("0001ff616263", checkpoint.hex(s))
      assert.are.equal(s, checkpoint.unhex(checkpoint.hex(s)))
      assert.is_nil(checkpoint.unhex("abc"))
    end)
  end)
end)
