-- Options tables: every public function that takes one refuses an unknown key, naming
-- the key and the function, suggesting the closest known name, at the caller's line.
local sfew = require "sfew"
local h = require "helpers"
local nn, optim, tensor = sfew.nn, sfew.optim, sfew.tensor

local SPEC = "options_spec.lua:%d+:"

-- Runs f(...) and returns its error message (failing when it succeeds).
local function message(f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok, "no error")
  return tostring(err)
end

describe("option names", function()
  describe("in the C constructors", function()
    it("names the key, the function and the likely option", function()
      local err = message(function() local r = nn.Conv2d(1, 16, 5, { padd = 2 }) return r end)
      assert.matches("bad argument #4 to 'Conv2d' (unknown option 'padd' (did you mean "
        .. "'padding'?))", err, 1, true)
      assert.matches(SPEC, err)
      err = message(function() local r = nn.Linear(2, 3, { bais = false }) return r end)
      assert.matches("bad argument #3 to 'Linear' (unknown option 'bais' (did you mean "
        .. "'bias'?))", err, 1, true)
      err = message(function() local r = nn.MaxPool2d(2, { size = 3 }) return r end)
      assert.matches("bad argument #2 to 'MaxPool2d' (unknown option 'size')", err, 1, true)
      err = message(function() local r = nn.ReLU({ inplace = true }) return r end)
      assert.matches("bad argument #1 to 'ReLU' (unknown option 'inplace')", err, 1, true)
    end)
    it("refuses keys that are not strings", function()
      local err = message(nn.Conv2d, 1, 2, 3, { 5 })
      assert.matches("unknown option number (option names are strings)", err, 1, true)
    end)
    it("still accepts every documented option", function()
      local conv = nn.Conv2d(1, 2, 3, { stride = 1, padding = 1, bias = false, rng = sfew.rng(1) })
      assert.are.equal(1, #conv:parameters())
      assert.is_truthy(nn.Linear(2, 2, { bias = true, rng = sfew.rng(1) }))
      assert.is_truthy(nn.MaxPool2d(2, { stride = 2 }))
    end)
  end)

  describe("in the optimisers", function()
    it("suggests the closest option", function()
      local p = tensor.zeros { 2 }
      local err = message(function()
        local r = optim.SGD({ p }, { lr = 1, momentun = 0.9 })
        return r
      end)
      assert.matches("unknown option 'momentun' for SGD (did you mean 'momentum'?)", err, 1, true)
      assert.matches(SPEC, err)
      err = message(optim.Adam, { p }, { lr = 1, bets = { 0.9, 0.99 } })
      assert.matches("(did you mean 'betas'?)", err, 1, true)
    end)
  end)

  describe("in the Lua functions", function()
    local dir
    before_each(function() dir = h.tmpdir() end)
    after_each(function() h.rmdir(dir) end)

    it("checks io.save and io.load", function()
      local p = dir .. "/t.safetensors"
      local err = message(function()
        local r = sfew.io.save(p, {}, nil, { name = "torch" })
        return r
      end)
      assert.matches("bad argument #4 to 'save' (unknown option 'name' (did you mean "
        .. "'names'?))", err, 1, true)
      assert.matches(SPEC, err)
      err = message(function() local r = sfew.io.load(p, { max_byte = 10 }) return r end)
      assert.matches("(did you mean 'max_bytes'?)", err, 1, true)
    end)

    it("checks data.read_csv, image_folder and load_image", function()
      local err = message(function()
        local r = sfew.data.read_csv("x.csv", { lable = 2 })
        return r
      end)
      assert.matches("bad argument #2 to 'read_csv' (unknown option 'lable' (did you mean "
        .. "'label'?))", err, 1, true)
      assert.matches(SPEC, err)
      err = message(function() local r = sfew.data.image_folder(dir, { grey = true }) return r end)
      assert.matches("unknown option 'grey' (did you mean 'gray'?)", err, 1, true)
      assert.matches(SPEC, err)
      err = message(function() local r = sfew.data.load_image("x.png", { widht = 3 }) return r end)
      assert.matches("unknown option 'widht' (did you mean 'width'?)", err, 1, true)
    end)

    it("checks the other data functions, the features and the unit angles", function()
      local ds = sfew.data.Dataset.new { x = tensor.zeros { 4, 2 }, y = tensor.ones { 4 } }
      local err = message(ds.split, ds, 0.5, sfew.rng(1), { stratifed = true })
      assert.matches("bad argument #3 to 'split' (unknown option 'stratifed' (did you mean "
        .. "'stratified'?))", err, 1, true)
      err = message(sfew.data.fashion_mnist, dir, { test = true })
      assert.matches("unknown option 'test' (did you mean 'test_only'?)", err, 1, true)
      err = message(sfew.data.load_default, { nn = 3 })
      assert.matches("bad argument #1 to 'load_default' (unknown option 'nn'", err, 1, true)
      err = message(sfew.data.synthesize_faces, { dir = dir, seeds = 2 })
      assert.matches("unknown option 'seeds' (did you mean 'seed'?)", err, 1, true)
      local img = tensor.zeros { 1, 16, 16 }
      err = message(require("sfew.features").lpq, img, { windows = 7 })
      assert.matches("unknown option 'windows' (did you mean 'window'?)", err, 1, true)
      err = message(require("sfew.features").phog, img, { bin = 8 })
      assert.matches("unknown option 'bin' (did you mean 'bins'?)", err, 1, true)
      err = message(sfew.prune.unit_angles, tensor.ones { 3, 2 }, { centre = 0 })
      assert.matches("unknown option 'centre' (did you mean 'center'?)", err, 1, true)
    end)

    it("checks nn.build and the checkpoint functions", function()
      local err = message(nn.build, { type = "ReLU" }, { seed = 1 })
      assert.matches("bad argument #2 to 'build' (unknown option 'seed')", err, 1, true)
      err = message(sfew.checkpoint.save, dir .. "/c.safetensors", { optimiser = 1 })
      assert.matches("unknown option 'optimiser' (did you mean 'optimizer'?)", err, 1, true)
    end)

    it("checks the pruning functions", function()
      local net = nn.Sequential { nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 2) }
      local x = tensor.rand({ 4, 2 }, sfew.rng(1))
      local err = message(function()
        local r = sfew.prune.remove_unit(net, 1, 1, { moed = "drop" })
        return r
      end)
      assert.matches("bad argument #4 to 'remove_unit' (unknown option 'moed' (did you mean "
        .. "'mode'?))", err, 1, true)
      assert.matches(SPEC, err)
      err = message(sfew.prune.pic_step, net, x, { centre = 0 })
      assert.matches("unknown option 'centre' (did you mean 'center'?)", err, 1, true)
      err = message(sfew.prune.distinctiveness, net, x, { similiar = 10 })
      assert.matches("did you mean 'similar'", err, 1, true)
      err = message(sfew.prune.hidden_angles, net, x, { layers = 1 })
      assert.matches("did you mean 'layer'", err, 1, true)
      err = message(sfew.prune.prune_by_importance, net, 1, function() end, { treshold = 1 })
      assert.matches("did you mean 'threshold'", err, 1, true)
    end)

    it("checks train.step, train.evaluate and train.fit", function()
      local net = nn.Sequential { nn.Linear(2, 2) }
      local x, y = tensor.rand({ 4, 2 }, sfew.rng(1)), tensor.new({ 4 }, { 1, 2, 1, 2 })
      local crit, opt = nn.CrossEntropyLoss(), optim.SGD(net:parameters(), { lr = 0.1 })
      local err = message(function()
        local r = sfew.train.step(net, crit, opt, x, y, { chunks = 2 })
        return r
      end)
      assert.matches("bad argument #6 to 'train.step' (unknown option 'chunks' (did you mean "
        .. "'chunk'?))", err, 1, true)
      assert.matches(SPEC, err)
      err = message(sfew.train.evaluate, net, crit, x, y, { keeps = false })
      assert.matches("bad argument #5 to 'train.evaluate' (unknown option 'keeps'", err, 1, true)
      err = message(function()
        sfew.train.fit { net = net, criterion = crit, optimizer = opt, x = x, y = y,
          epochs = 1, batch_size = 2, progress = false }
      end)
      assert.matches("bad argument #1 to 'train.fit' (unknown option 'batch_size' (did you "
        .. "mean 'batch'?))", err, 1, true)
      assert.matches(SPEC, err)
    end)
  end)
end)
