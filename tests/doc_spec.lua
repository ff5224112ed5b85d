-- sfew.doc and help(): documentation registered with the engine's functions.
local doc = require "sfew.doc"
local repl = require "sfew.repl"
require "sfew" -- help() indexes the modules of the loaded sfew table
local tensor = require "sfew.tensor"

-- Runs f with io.stdout captured; returns what it wrote.
local function captured(f, ...)
  local path = os.tmpname()
  local file = assert(io.open(path, "w"))
  local real = io.stdout
  io.stdout = file -- luacheck: ignore 122 (the REPL writes through io.stdout)
  local ok, err = pcall(f, ...)
  io.stdout = real -- luacheck: ignore 122
  file:close()
  local text = assert(io.open(path)):read("a")
  os.remove(path)
  assert(ok, err)
  return text
end

describe("sfew.doc", function()
  describe(".register", function()
    it("documents a function for lookup by value and by name", function()
      local f = function() end
      assert.are.equal(f, doc.register(f, "demo.f(x, y)", "Adds two numbers."))
      assert.are.equal("Adds two numbers.", doc.lookup(f).desc)
      assert.are.equal("demo.f(x, y)", doc.lookup("demo.f").sig)
    end)
    it("raises on a missing signature", function()
      assert.has_error(function() doc.register(print) end,
        "bad argument #2 to 'register' (signature string expected)")
    end)
  end)
  describe(".lookup", function()
    it("knows the core: sfew.rng, tensor functions and tensor methods", function()
      assert.are.equal("sfew.rng(seed)", doc.lookup(require("sfew.core.sys").rng).sig)
      assert.are.equal("sfew.tensor.zeros(shape)", doc.lookup(tensor.zeros).sig)
      assert.are.equal("t:reshape(shape)", doc.lookup(tensor.methods.reshape, "reshape").sig)
      assert.are.equal("t:view(shape)", doc.lookup(tensor.methods.view, "view").sig)
      assert.are.equal("Tensor", doc.lookup(tensor.zeros{ 1 }).sig)
    end)
    it("gives an example for each main entry point", function()
      local sfew = require "sfew"
      local nn, net = sfew.nn, sfew.nn.Sequential {}
      for name, f in pairs {
        ["nn.Sequential"] = nn.Sequential, ["nn.Conv2d"] = nn.Conv2d, ["nn.Linear"] = nn.Linear,
        ["optim.Adam"] = sfew.optim.Adam, ["train.step"] = sfew.train.step,
        ["train.fit"] = sfew.train.fit, ["data.image_folder"] = sfew.data.image_folder,
        ["data.read_csv"] = sfew.data.read_csv, ["prune.unit_angles"] = sfew.prune.unit_angles,
        ["prune.kernel_importance"] = sfew.prune.kernel_importance,
        ["prune.remove_channels"] = sfew.prune.remove_channels, ["io.save"] = sfew.io.save,
        ["io.load"] = sfew.io.load, ["net:save"] = net.save, ["nn.load"] = nn.load,
      } do
        local e = doc.lookup(f, name:match("[%.:](.+)$"), name:find(":") ~= nil)
        assert.is_truthy(e and e.example, name)
      end
    end)
    it("documents every tensor function and method", function()
      for name, f in pairs(tensor) do
        if type(f) == "function" then assert.is_truthy(doc.lookup(f, name), name) end
      end
      for name, f in pairs(tensor.methods) do
        assert.is_truthy(doc.lookup(f, name, true), name)
      end
    end)
  end)
end)

describe("sfew.repl", function()
  describe(".help", function()
    it("prints the signature and description of a function", function()
      local out = captured(repl.help, tensor.ones)
      assert.are.equal("sfew.tensor.ones(shape)\n  A tensor of ones.\n", out)
    end)
    it("lists a module's contents", function()
      local out = captured(repl.help, tensor)
      assert.matches("sfew.tensor.randn%(shape %[, rng%]%)%s+Standard normal", out)
    end)
    it("takes a name, methods included, as ?x does", function()
      rawset(_G, "help_t", tensor.zeros{ 2 })
      local out = captured(repl.help, "help_t:reshape")
      rawset(_G, "help_t", nil)
      assert.matches("^t:reshape%(shape%)\n", out)
    end)
    it("lists an object's methods", function()
      local out = captured(repl.help, tensor.zeros{ 2 })
      assert.matches("^Tensor\n", out)
      assert.matches("t:argmax%(%[dim%]%)", out)
    end)
    it("prints an index of the modules when given no argument", function()
      local out = captured(repl.help)
      assert.matches("\n  sfew%.nn +Layers", out)
      assert.matches("\n  sfew%.prune +%S", out)
      assert.matches("\n  sfew%.experiment +%S", out)
    end)
    it("documents a layer, its type and its methods on a live object", function()
      local nn = require "sfew.nn"
      rawset(_G, "help_l", nn.Linear(2, 2))
      local out = captured(repl.help, "help_l:forward")
      local typed = captured(repl.help, rawget(_G, "help_l"))
      rawset(_G, "help_l", nil)
      assert.matches("^l:forward%(x%)\n", out)
      assert.matches("^Linear\n", typed)
      assert.not_matches("no documentation", typed)
      assert.matches("l:set_params%(weight, bias%)", typed)
    end)
    it("lists a Sequential's methods and none of its private fields", function()
      local nn = require "sfew.nn"
      local net = nn.Sequential { nn.Linear(2, 2), nn.ReLU() }
      net:forward(tensor.zeros { 1, 2 })
      local out = captured(repl.help, net)
      assert.matches("^nn%.Sequential{", out)
      assert.matches("net:forward%(x%)", out)
      assert.not_matches("\n  _", out)
    end)
    it("documents an optimiser's methods", function()
      local opt = require("sfew.optim").Adam(require("sfew.nn").Linear(2, 2):parameters())
      rawset(_G, "help_opt", opt)
      local out = captured(repl.help, "help_opt:step")
      rawset(_G, "help_opt", nil)
      assert.matches("^opt:step%(%)\n", out)
    end)
    it("prints the example of a main entry point", function()
      local out = captured(repl.help, require("sfew.nn").Conv2d)
      assert.matches("\n  Example: nn%.Conv2d%(1, 16, 5", out)
    end)
    it("says so when it knows nothing", function()
      assert.matches("no value and no documentation", captured(repl.help, "no_such_thing"))
      assert.matches("no documentation", captured(repl.help, 42))
    end)
  end)
end)
