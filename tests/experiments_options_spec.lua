-- List-valued experiment options are checked item by item: a bad item is an error that
-- names it, never silently skipped.
local h = require "helpers"
local cli = require "sfew.cli"

describe("sfew.cli", function()
  describe(".list", function()
    local function upper(item) return item:match("^%a+$") and item:upper() or nil end

    it("returns the checked items of a comma-separated value, spaces trimmed", function()
      assert.are.same({ "A", "B" }, cli.list("a, b", "opt", upper, "a word"))
    end)

    it("names the option and the item that is not one", function()
      local ok, err = pcall(cli.list, "a,b2", "opt", upper, "a word")
      assert.is_false(ok)
      assert.are.equal("--opt: 'b2' is not a word", err)
    end)

    it("refuses an empty item or an empty list", function()
      assert.has_error(function() cli.list("a,", "opt", upper, "a word") end,
        "--opt: '' is not a word")
      assert.has_error(function() cli.list("", "opt", upper, "a word") end,
        "--opt: '' is not a word")
    end)
  end)
end)

describe("sfew.experiment", function()
  describe(".apply_defaults", function()
    it("replaces the options not given explicitly, and names a bad argument", function()
      local experiment = require "sfew.experiment"
      local o = { pad = 0, lr = 1, _given = { lr = true } }
      experiment.apply_defaults(o, { pad = 4, lr = 2 })
      assert.are.same({ 4, 1 }, { o.pad, o.lr })
      local ok, err = pcall(function() experiment.apply_defaults(o, "pad=4") end)
      assert.is_false(ok)
      assert.matches("experiments_options_spec.lua:%d+: bad argument #2 to "
        .. "'experiment.apply_defaults' %(table expected, got string%)", err)
    end)
  end)
end)

describe("experiment list options", function()
  it("channel_sweep refuses --combos 16x32,bad instead of running only 16x32", function()
    local ok, _, err = h.run{ h.root .. "/experiments/channel_sweep.lua", "--combos",
      "16x32,bad", "--out", "/nonexistent/never-written" }
    assert.is_false(ok)
    assert.matches("%-%-combos: 'bad' is not C1xC2", err)
  end)

  it("channel_sweep refuses a zero channel count", function()
    local sweep = require "experiments.channel_sweep"
    local ok, err = pcall(sweep.run, { combos = "16x32,0x4" })
    assert.is_false(ok)
    assert.matches("%-%-combos: '0x4' is not C1xC2", err)
  end)

  it("paper refuses --only pic,foo instead of ignoring foo", function()
    local ok, _, err = h.run{ h.root .. "/experiments/paper.lua", "--only", "pic,foo",
      "--out", "/nonexistent/never-written" }
    assert.is_false(ok)
    assert.matches("%-%-only: 'foo' is not one of pic, channel_sweep, importance_prune", err)
  end)
end)
