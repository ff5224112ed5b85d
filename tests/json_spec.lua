-- sfew.json: encoding (arrays, sorted objects, integers, round-trip floats) and strict
-- decoding with positions in the messages.
local json = require "sfew.json"

describe("sfew.json", function()
  describe(".encode", function()
    it("writes arrays, sorted objects, strings and literals", function()
      assert.are.equal('{"a":[1,2,"x"],"b":true,"c":null,"d":{"e":"q\\"\\n\\u0001"}}',
        json.encode{b = true, a = {1, 2, "x"}, c = json.null, d = {e = 'q"\n\1'}})
      assert.are.equal("[]", json.encode{})
      assert.are.equal("{}", json.encode(json.object()))
    end)
    it("keeps integers as integers and floats at round-trip precision", function()
      assert.are.equal("3", json.encode(3))
      assert.are.equal("3.0", json.encode(3.0))
      assert.are.equal("0.1", json.encode(0.1))
      for _, x in ipairs{1 / 3, 1e-300, -2.5e17, math.pi, 123456789.123} do
        local back = json.decode(json.encode(x))
        assert.are.equal(x, back)
        assert.are.equal("float", math.type(back))
      end
      assert.are.equal(math.maxinteger, json.decode(json.encode(math.maxinteger)))
    end)
    it("raises on NaN, infinities, functions, cycles and mixed tables", function()
      local cyc = {}
      cyc[1] = cyc
      for _, v in ipairs{0 / 0, math.huge, -math.huge, print, cyc, {1, x = 2}, {[2] = 1}} do
        assert.has_error(function() json.encode(v) end)
      end
      local ok, msg = pcall(json.encode, {a = 0 / 0})
      assert.is_false(ok)
      assert.matches("NaN", msg)
    end)
  end)

  describe(".decode", function()
    it("reads nested values, escapes and surrogate pairs", function()
      local v = json.decode(' {"a": [1, -2.5e2, "\\u00e9\\ud83d\\ude00"], "b": null,'
        .. ' "c": {}, "d": false} ')
      assert.are.same({1, -250.0, "é😀"}, v.a)
      assert.are.equal(json.null, v.b)
      assert.are.same({}, v.c)
      assert.is_false(v.d)
      assert.are.equal("integer", math.type(v.a[1]))
    end)
    it("returns nil and a message with the position for malformed text", function()
      for _, s in ipairs{"", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "[1 2]", "tru",
        "\"a", "\"\\x\"", "\"\\ud800\"", "{a:1}", "[1] x", "\"\1\""} do
        local v, msg = json.decode(s)
        assert.is_nil(v, s)
        assert.matches("json.decode: .* at position %d+", msg)
      end
    end)
    it("raises on a non-string argument", function()
      local ok, msg = pcall(json.decode, 5)
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'decode'", msg)
    end)
    it("keeps keys and strings with NUL bytes whole", function()
      local v = {["a\0b"] = "x\0y"}
      assert.are.equal('{"a\\u0000b":"x\\u0000y"}', json.encode(v))
      assert.are.same(v, json.decode(json.encode(v)))
    end)
    it("reads tables raw, so metamethods cannot change them half-way", function()
      local calls = 0
      local t = setmetatable({1, 2}, {__index = function() calls = calls + 1 end,
        __len = function() calls = calls + 1; return 5 end})
      assert.are.equal("[1,2]", json.encode(t))
      assert.are.equal(0, calls)
    end)
    it("refuses nesting deeper than its limit with a message, not a crash", function()
      local deep = {}
      for _ = 1, 1000 do deep = {deep} end
      local ok, msg = pcall(json.encode, deep)
      assert.is_false(ok)
      assert.matches("nesting", msg)
      local v, err = json.decode(string.rep("[", 1000) .. string.rep("]", 1000))
      assert.is_nil(v)
      assert.matches("nesting too deep", err)
    end)
    it("round-trips a model spec", function()
      local spec = {type = "Sequential", layers = {
        {type = "Conv2d", in_channels = 1, out_channels = 16, kernel_size = 5},
        {type = "ReLU"}, {type = "Linear", in_features = 4160, out_features = 7}}}
      assert.are.same(spec, json.decode(json.encode(spec)))
    end)
  end)
end)
