-- sfew.cli: option parsing for experiments and tools.
local cli = require "sfew.cli"

local spec = {
  { "epochs", 700, "training epochs", type = "integer" },
  { "lr", 1e-3, "learning rate" },
  { "out", "reports/x", "output folder" },
  { "quick", false, "small settings" },
  { "data", nil, "data folder", type = "string" },
}

describe("cli", function()
  describe(".parse", function()
    it("fills defaults and reads --name value and --name=value", function()
      local o, pos = cli.parse({ "--epochs", "5", "--lr=0.5", "file" }, spec)
      assert.are.equal(5, o.epochs)
      assert.are.equal(0.5, o.lr)
      assert.are.equal("reports/x", o.out)
      assert.is_false(o.quick)
      assert.is_nil(o.data)
      assert.are.same({ "file" }, pos)
    end)
    it("reads flags and their negation", function()
      assert.is_true(cli.parse({ "--quick" }, spec).quick)
      assert.is_false(cli.parse({ "--quick", "--no-quick" }, spec).quick)
    end)
    it("raises on unknown options and bad values", function()
      assert.has_error(function() cli.parse({ "--epoch", "3" }, spec) end,
        "unknown option --epoch (see --help)")
      assert.has_error(function() cli.parse({ "--epochs", "2.5" }, spec) end,
        "--epochs takes an integer, got '2.5'")
      assert.has_error(function() cli.parse({ "--lr" }, spec) end, "--lr needs a value")
    end)
    it("prints usage for --help and returns nil", function()
      local text = cli.usage(spec)
      assert.matches("%-%-epochs INT", text)
      assert.matches("default: 700", text)
    end)
  end)
  describe(".merge", function()
    it("checks a Lua options table against the spec", function()
      local o = cli.merge(spec, { epochs = 3 })
      assert.are.equal(3, o.epochs)
      assert.are.equal(1e-3, o.lr)
      assert.has_error(function() cli.merge(spec, { epochs = "x" }) end)
      assert.has_error(function() cli.merge(spec, { bogus = 1 }) end)
    end)
  end)
end)
