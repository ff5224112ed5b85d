-- sfew.checkpoint: networks and training states through safetensors, with a fake network
-- module (spec, named_parameters, parameters) where a network is given, and a small real
-- one where the file's spec builds it.
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

local function real_net(seed)
  local rng = sfew.rng(seed or 1)
  return sfew.nn.Sequential {sfew.nn.Linear(3, 2, {rng = rng}), sfew.nn.Tanh()}
end

-- Saves a real network to p, lets edit change its tensors and metadata, writes them back.
local function edited(p, edit)
  assert(checkpoint.save_net(real_net(), p))
  local ts, meta = sfew.io.load(p)
  edit(ts, meta)
  assert(sfew.io.save(p, ts, meta))
end

-- Gradient of 0.5 * |p - 1|^2 for every parameter, then one step.
local function train_step(net, opt)
  for _, p in ipairs(net:parameters()) do
    p.grad:copy(p - tensor.ones(p:shape()))
  end
  opt:step()
end

describe("sfew.checkpoint", function()
  local dir
  before_each(function() dir = h.tmpdir() end)
  after_each(function() h.rmdir(dir) end)

  describe(".save_net and .load_net", function()
    it("rebuild the network from its spec with the same weights", function()
      local net = real_net(1)
      local p = dir .. "/net.safetensors"
      assert.is_true(checkpoint.save_net(net, p, {epoch = 7, note = "hi"}))
      local net2, extra = checkpoint.load_net(p)
      assert.are.same({epoch = 7, note = "hi"}, extra)
      assert.are.same(net:spec(), net2:spec())
      for i, np in ipairs(net:named_parameters()) do
        assert.are.same(np.tensor:flat(), net2:named_parameters()[i].tensor:flat())
      end
      local _, meta = sfew.io.load(p)
      assert.are.same(net:spec(), require("sfew.json").decode(meta["sfew.spec"]))
    end)
    it("name a missing or an extra tensor, and a shape that differs", function()
      local p = dir .. "/net.safetensors"
      edited(p, function(ts) ts["1.bias"] = nil end)
      local net, msg = checkpoint.load_net(p)
      assert.is_nil(net)
      assert.matches("no tensor '1.bias'", msg)
      edited(p, function(ts) ts["2.weight"] = tensor.zeros({1}) end)
      net, msg = checkpoint.load_net(p)
      assert.is_nil(net)
      assert.matches("tensor '2.weight' that the network lacks", msg)
      edited(p, function(ts) ts["1.weight"] = tensor.zeros({3, 2}) end)
      net, msg = checkpoint.load_net(p)
      assert.is_nil(net)
      assert.matches("'1.weight' has shape 3x2, the network's has 2x3", msg)
    end)
    it("check a small file against a huge spec before building anything", function()
      local p = dir .. "/net.safetensors"
      edited(p, function(_, meta)
        meta["sfew.spec"] = meta["sfew.spec"]:gsub('"in_features":3', '"in_features":65536')
          :gsub('"out_features":2', '"out_features":65536')
      end)
      assert.is_true(#io.open(p, "rb"):read("a") < 400)
      local net, msg = sfew.nn.load(p)
      assert.is_nil(net)
      assert.matches("'1.weight' has shape 2x3, the network's has 65536x65536", msg)
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
      local net = real_net(1)
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
