-- sfew.nn against hostile arguments: tables whose metamethods free the layer or collect
-- garbage while C walks them, and options whose __index makes fresh objects. Nothing may
-- crash (the ASan build checks that nothing is read after it is freed).
local nn = require "sfew.nn"
local tensor = require "sfew.tensor"
local sys = require "sfew.core.sys"

-- A metatable whose __index and __len run the layer's __gc and a full collection.
local function hostile_meta(layer)
  local gc = getmetatable(layer).__gc
  local function attack() gc(layer); collectgarbage() end
  return {
    __index = function(_, i) attack(); return i end,
    __len = function() attack(); return 3 end,
  }
end

describe("sfew.nn", function()
  describe("Conv2d:set_mask", function()
    it("reads the list raw, so its metamethods never run", function()
      local conv = nn.Conv2d(1, 4, 3)
      conv:set_mask(setmetatable({2, 3}, hostile_meta(conv)))
      assert.are.same({2, 3}, conv:mask())
      conv:set_mask(setmetatable({}, hostile_meta(conv))) -- raw length 0: masks nothing
      assert.are.same({}, conv:mask())
    end)

    it("raises for a layer freed before the call", function()
      local conv = nn.Conv2d(1, 4, 3)
      getmetatable(conv).__gc(conv)
      local ok, err = pcall(function() return conv:set_mask({1}) end)
      assert.is_false(ok)
      assert.matches("module was not created", err)
    end)
  end)

  describe("CrossEntropyLoss", function()
    it("reads a target list raw", function()
      local ce = nn.CrossEntropyLoss()
      local x = tensor.zeros({2, 3})
      local loss = ce:forward(x, setmetatable({1, 2}, hostile_meta(ce)))
      assert.is_true(math.abs(loss - math.log(3)) < 1e-6)
      assert.are.same({2, 3}, ce:backward(x, setmetatable({1, 2}, hostile_meta(ce))):shape())
    end)
  end)

  describe("constructors", function()
    it("keep a generator an option's __index makes alive while they use it", function()
      local want = nn.Linear(4, 3, {rng = sys.rng(1)}).weight:flat()
      for _ = 1, 20 do
        local opts = setmetatable({}, {__index = function(_, k)
          collectgarbage()
          if k == "rng" then return sys.rng(1) end
        end})
        assert.are.same(want, nn.Linear(4, 3, opts).weight:flat())
        local conv = nn.Conv2d(1, 2, 3, opts)
        assert.are.same(nn.Conv2d(1, 2, 3, {rng = sys.rng(1)}).weight:flat(), conv.weight:flat())
      end
    end)
  end)

  describe("results passed back in", function()
    it("lets a module take its own output or input gradient as an argument", function()
      local f = nn.Flatten()
      local y = f:forward(tensor.ones({2, 3, 2}))
      assert.are.same({2, 6}, f:forward(y):shape())
      assert.is_true(rawequal(y, f.output))
      local gi = f:backward(tensor.ones({2, 2, 3}), f.output)
      assert.are.same({2, 2, 3}, gi:shape())
      f:backward(tensor.ones({2, 6}), tensor.ones({2, 6}))
      assert.is_true(rawequal(gi, f:backward(tensor.ones({2, 6}), f.grad_input)))
      assert.are.same({2, 6}, gi:shape())
      local lin = nn.Linear(2, 2)
      local out = lin:forward(tensor.ones({1, 2}))
      assert.are.same({1, 2}, lin:forward(out):shape())
      assert.are.same({1, 2}, lin:backward(lin.output, lin.output):shape())
    end)
  end)
end)
