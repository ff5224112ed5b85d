-- Reliability: API misuse from Lua (wrong types, nil, negative sizes, shape mismatches,
-- methods called on the wrong thing, tensors outliving their layer) raises a Lua error
-- naming the function and the argument, never crashes, and the REPL goes on afterwards.
local sfew = require "sfew"
local h = require "helpers"
local T, nn, optim, prune, data, sio = sfew.tensor, sfew.nn, sfew.optim, sfew.prune,
  sfew.data, sfew.io

-- f() must raise a message containing text (plain).
local function raises(text, f, ...)
  local ok, msg = pcall(f, ...)
  assert.is_false(ok, "no error; expected: " .. text)
  -- Called through pcall, a C function is named by its module path ('sfew.tensor.zeros');
  -- from user code it is named as written ('zeros').
  msg = tostring(msg):gsub("to '[%w_.]+%.([%w_]+)'", "to '%1'")
  assert.is_truthy(msg:find(text, 1, true), ("'%s' not in: %s"):format(text, msg))
end

describe("misuse", function()
  describe("sfew.tensor", function()
    it("names the argument for wrong types, nil and negative sizes", function()
      raises("bad argument #1 to 'zeros' (size 1 is negative (-1))", T.zeros, { -1 })
      raises("bad argument #1 to 'zeros' (shape (a list of sizes) expected, got nil)", T.zeros,
        nil)
      raises("bad argument #1 to 'ones' (shape (a list of sizes) expected, got string)",
        T.ones, "a")
      raises("bad argument #2 to 'new' (1 values for a shape of 2 elements)", T.new, { 2 }, { 1 })
      raises("bad argument #2 to 'rand' (sfew.Rng expected, got number)", T.rand, { 2 }, 5)
      raises("bad argument #1 to 'get' (index 5 out of range 1..4)",
        function() return T.zeros({ 4 }):get(5) end)
    end)
    it("refuses shapes too large to allocate before allocating", function()
      raises("more than 4294967296 elements", T.zeros, { 100000, 100000, 100000 })
    end)
    it("reports shape mismatches", function()
      local a = T.zeros { 2, 3 }
      raises("shapes 2x3 and 4 do not broadcast", function() return a + T.zeros { 4 } end)
      raises("matmul: 2x3 times 2x3", function() return a:matmul(T.zeros { 2, 3 }) end)
      raises("reshape: shape 3 has 3 elements", function() return T.zeros { 4 }:reshape { 3 } end)
    end)
    it("raises when a method is called on the method table or a non-tensor", function()
      local m = T.methods
      raises("bad argument #1 to 'sum' (sfew.Tensor expected, got number)",
        function() return m.sum(5) end)
      raises("bad argument #1 to 'reshape' (sfew.Tensor expected, got nil)",
        function() return m.reshape(nil, { 2 }) end)
    end)
    it("raises on a freed tensor", function()
      local t = T.zeros { 2 }
      t:free()
      raises("tensor has been freed", function() return t:sum() end)
    end)
  end)

  describe("sfew.nn", function()
    it("names the argument for bad sizes and types", function()
      raises("bad argument #1 to 'Linear' (size must be positive)", nn.Linear, -1, 2)
      raises("bad argument #1 to 'Linear' (number expected, got no value)", nn.Linear)
      raises("bad argument #3 to 'Conv2d' (size must be positive)", nn.Conv2d, 1, 2, 0)
      raises("bad argument #1 to 'Sequential' (entry 2 is not a module)", nn.Sequential,
        { nn.ReLU(), 5 })
    end)
    it("reports shape mismatches between layers with the layer's index", function()
      local net = nn.Sequential { nn.Linear(3, 4), nn.ReLU(), nn.Linear(5, 2) }
      raises("Sequential layer 3 (Linear): bad argument #1 to 'forward' "
        .. "(Linear expects 2-D N x 5 input, got 2x4)",
        function() return net:forward(T.zeros { 2, 3 }) end)
      raises("Conv2d: input 1x1x3x3 is smaller than the 5x5 kernel",
        function() return nn.Conv2d(1, 2, 5):forward(T.zeros { 1, 1, 3, 3 }) end)
      raises("bad argument #2 to 'forward' (CrossEntropyLoss: target 9 of row 2 is outside 1..3)",
        function() return nn.CrossEntropyLoss():forward(T.zeros { 2, 3 }, { 1, 9 }) end)
    end)
    it("raises when a method is called without its object", function()
      local lin = nn.Linear(2, 3)
      raises("bad argument #1 to 'forward' (sfew.Linear expected, got nil)",
        function() return lin.forward(nil, T.zeros { 1, 2 }) end)
      raises("sfew.Linear expected, got sfew.Tensor",
        function() return lin.forward(T.zeros { 1 }, T.zeros { 1, 2 }) end)
      raises("calling 'forward' on bad self (Sequential expected, got nil)",
        function() return nn.Sequential.forward(nil, T.zeros { 1 }) end)
      raises("calling 'parameters' on bad self (Sequential expected, got a plain table)",
        function() return nn.Sequential.parameters({}) end)
    end)
    it("keeps a weight taken before pruning alive and apart from the pruned layer", function()
      local rng = sfew.rng(1)
      local net = nn.Sequential { nn.Linear(3, 4, { rng = rng }), nn.Sigmoid(),
        nn.Linear(4, 2, { rng = rng }) }
      local old = net[1].weight
      local sum = old:sum()
      prune.remove_unit(net, 1, 2, { mode = "drop" })
      assert.are.same({ 3, 3 }, net[1].weight:shape())
      assert.are.same({ 4, 3 }, old:shape()) -- the old storage is still pinned by the view
      assert.are.equal(sum, old:sum())
      old:fill(7) -- writes into the old storage, not into the layer
      assert.is_true(net[1].weight:max() < 7)
      assert.are.same({ 2, 2 }, net:forward(T.zeros { 2, 3 }):shape())
    end)
  end)

  describe("sfew.optim, sfew.prune, sfew.io, sfew.data", function()
    it("names the argument", function()
      raises("bad argument #1 to 'Adam' (table expected, got nil)", optim.Adam)
      raises("bad argument #2 to 'Adam' (adam: lr must be positive, got -1)", optim.Adam,
        { T.zeros { 2 } }, { lr = -1 })
      raises("bad argument #2 to 'SGD' (option 'lr' is required for SGD)", optim.SGD,
        { T.zeros { 2 } })
      raises("bad argument #1 to 'SGD' (element 1 is not a live tensor (got number))", optim.SGD,
        { 1, 2 }, { lr = 1 })
      raises("bad argument #1 to 'unit_angles' (sfew.Tensor expected, got nil)", prune.unit_angles,
        nil)
      raises("bad argument #1 to 'kernel_importance'", prune.kernel_importance)
      raises("bad argument #1 to 'save' (string expected, got nil)", sio.save)
      raises("bad argument #2 to 'load' (max_bytes must be a positive integer)", sio.load, "x",
        { max_bytes = -5 })
      raises("bad argument #1 to 'load_image' (string expected, got nil)", data.load_image, nil)
      raises("bad argument #2 to 'load_image' (width and height must be in 0..65535)",
        data.load_image, "x.png", { width = -3 })
      raises("bad argument #1 to 'read_csv'", data.read_csv, {})
      raises("bad argument #1 to 'image_folder'", data.image_folder, 5)
      raises("option 'n' must be in 0..10000000", data.synthesize_faces,
        { dir = "/nowhere", n = -1 })
      raises("bad argument #1 to 'threads' (thread count out of range 1..256)", sfew.threads, -1)
    end)
    it("raises when an optimiser method is called without its object", function()
      local opt = optim.Adam({ T.zeros { 2 } })
      raises("bad argument #1 to 'step' (optimizer expected, got nil)",
        function() return opt.step(nil) end)
      raises("optimizer expected, got sfew.Tensor", function() return opt.step(T.zeros { 1 }) end)
    end)
  end)

  describe("the REPL", function()
    it("keeps working after bad calls", function()
      local ok, out, err = h.run({}, table.concat({
        "sfew.tensor.zeros{-1}",
        "sfew.nn.Linear('a')",
        "sfew.nn.Sequential.forward(nil)",
        "sfew.tensor.methods.sum(5)",
        "sfew.io.load('/nowhere.safetensors')",
        "sfew.data.load_image({})",
        "sfew.tensor.ones{2, 2}:sum() + 40",
      }, "\n") .. "\n")
      assert.matches("bad argument #1 to 'zeros'", err, 1, true)
      assert.matches("bad argument #1 to 'Linear'", err, 1, true)
      assert.matches("calling 'forward' on bad self", err, 1, true)
      assert.matches("bad argument #1 to 'sum'", err, 1, true)
      assert.matches("bad argument #1 to 'load_image'", err, 1, true)
      assert.matches("nil\tsafetensors: cannot open '/nowhere.safetensors'", out, 1, true)
      assert.matches("44", out, 1, true)
      assert.is_true(ok) -- the session itself ends normally, as lua's REPL does
    end)
  end)
end)
