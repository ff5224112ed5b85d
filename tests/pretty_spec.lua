-- sfew.pretty: how the REPL shows values.
local pretty = require "sfew.pretty"
local tensor = require "sfew.tensor"

describe("sfew.pretty", function()
  describe(".format", function()
    it("prints a list, then named keys in order", function()
      assert.are.equal('{1, 2, "x", a = true, b = {}}', pretty.format{1, 2, "x", b = {}, a = true})
    end)
    it("marks a cycle instead of recursing", function()
      local t = { name = "n" }
      t.self = t
      local s = pretty.format(t)
      assert.matches('^{name = "n", self = <cycle: table: 0x%x+>}$', s)
    end)
    it("prints a table seen twice (not a cycle) both times", function()
      local shared = { 1 }
      assert.are.equal("{{1}, {1}}", pretty.format{ shared, shared })
    end)
    it("cuts nesting at the depth limit", function()
      assert.are.equal("{{{{...}}}}", pretty.format{ { { { { 1 } } } } })
      assert.are.equal("{{...}}", pretty.format({ { { 1 } } }, { depth = 1 }))
    end)
    it("cuts long tables and says how many entries are left", function()
      local t = {}
      for i = 1, 30 do t[i] = i end
      local s = pretty.format(t)
      assert.matches("^{\n  1, 2, 3,", s)
      assert.matches("%.%.%. %(10 more%)", s)
      assert.is_nil(s:find("21", 1, true))
    end)
    it("breaks a wide table over lines with indentation", function()
      local t = { alpha = ("a"):rep(40), beta = ("b"):rep(40) }
      local s = pretty.format(t)
      assert.are.equal('{\n  alpha = "' .. ("a"):rep(40) .. '",\n  beta = "' ..
        ("b"):rep(40) .. '"\n}', s)
    end)
    it("quotes odd keys and strings inside tables, not at the top", function()
      local odd = pretty.format{ ["a b"] = "x\ny", [true] = 1 }
      assert.are.equal('{[true] = 1, ["a b"] = "x\\ny"}', odd)
      assert.are.equal("plain", pretty.format("plain"))
    end)
    it("shows tensors and objects through __tostring", function()
      local t = tensor.ones{ 2, 2 }
      assert.are.equal(tostring(t), pretty.format(t))
      local obj = setmetatable({}, { __tostring = function() return "Net(3 layers)" end })
      assert.are.equal("{Net(3 layers)}", pretty.format{ obj })
    end)
    it("survives a failing __tostring", function()
      local obj = setmetatable({}, { __tostring = function() error("nope") end })
      assert.matches("__tostring failed", pretty.format(obj))
    end)
  end)
  describe(".format_values", function()
    it("puts simple values on one line, separated by tabs", function()
      assert.are.equal("1\tnil\ttrue", pretty.format_values(1, nil, true))
    end)
    it("puts values one per line when one spans several lines", function()
      local t = tensor.ones{ 2, 2 }
      assert.are.equal("1\n" .. tostring(t), pretty.format_values(1, t))
    end)
  end)
end)
