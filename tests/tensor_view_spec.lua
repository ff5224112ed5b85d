-- sfew.tensor: permute, transpose, narrow, select and index on any dimension (1-based).
local sfew = require "sfew"
local tensor = sfew.tensor

-- A 2x3x4 tensor whose element (i, j, k) is 100i + 10j + k.
local function cube()
  local v = {}
  for i = 1, 2 do for j = 1, 3 do for k = 1, 4 do v[#v + 1] = 100 * i + 10 * j + k end end end
  return tensor.new({2, 3, 4}, v)
end

local function err_of(f)
  local ok, msg = pcall(f)
  assert.is_false(ok)
  return tostring(msg)
end

describe("sfew.tensor", function()
  describe(":permute", function()
    it("reorders every dimension into a new contiguous tensor", function()
      local t = cube()
      local p = t:permute(3, 1, 2)
      assert.are.same({4, 2, 3}, p:shape())
      for i = 1, 2 do for j = 1, 3 do for k = 1, 4 do
        assert.are.equal(t:get(i, j, k), p:get(k, i, j))
      end end end
      assert.are.same(p:totable(), t:permute{3, 1, 2}:totable())
      p:fill(0)
      assert.are.equal(111, t:get(1, 1, 1)) -- a copy, not a view
    end)
    it("handles the identity, one dimension, scalars and empty tensors", function()
      local t = cube()
      assert.are.same(t:totable(), t:permute(1, 2, 3):totable())
      assert.are.same({1, 2, 3}, tensor.new({3}, {1, 2, 3}):permute(1):totable())
      assert.are.same({0, 3}, tensor.zeros{3, 0}:permute(2, 1):shape())
      assert.are.equal(7, tensor.full({}, 7):permute():item())
    end)
    it("raises on a wrong count, duplicates, out-of-range and non-integer dimensions", function()
      local t = cube()
      assert.matches("bad argument #1 to 'permute' %(2 dimensions for a 3", err_of(function()
        return t:permute(1, 2) end))
      assert.matches("bad argument #3 to 'permute' %(dimension 1 given twice", err_of(function()
        return t:permute(1, 2, 1) end))
      assert.matches("bad argument #1 to 'permute' %(dimension 0 out of range", err_of(function()
        return t:permute(0, 1, 2) end))
      assert.matches("bad argument #2 to 'permute' %(dimension %-1", err_of(function()
        return t:permute(1, -1, 2) end))
      assert.matches("bad argument #3 to 'permute' %(dimension 9007199254740993", err_of(
        function() return t:permute(1, 2, 9007199254740993) end))
      assert.matches("bad argument #2 to 'permute' %(number expected, got string", err_of(
        function() return t:permute(1, "x", 2) end))
      assert.matches("bad argument #1 to 'permute' %(entry 2 is not an integer", err_of(
        function() return t:permute{1, 2.5, 3} end))
    end)
  end)

  describe(":transpose", function()
    it("swaps any two dimensions", function()
      local t = cube()
      local s = t:transpose(1, 3)
      assert.are.same({4, 3, 2}, s:shape())
      assert.are.equal(t:get(2, 3, 1), s:get(1, 3, 2))
      assert.are.same(t:totable(), t:transpose(2, 2):totable())
      assert.are.same({{1, 3}, {2, 4}}, tensor.new({2, 2}, {1, 2, 3, 4}):transpose():totable())
    end)
    it("raises on dimensions out of range or missing", function()
      local t = cube()
      assert.matches("bad argument #2 to 'transpose' %(dimension 4 out of range 1..3", err_of(
        function() return t:transpose(1, 4) end))
      assert.matches("bad argument #1 to 'transpose'", err_of(function() return t:transpose() end))
    end)
  end)

  describe(":narrow", function()
    it("views dimension 1 and copies any other", function()
      local t = cube()
      local v = t:narrow(1, 2, 1)
      v:fill(5)
      assert.are.equal(5, t:get(2, 1, 1))
      t = cube()
      local c = t:narrow(3, 2, 2)
      assert.are.same({2, 3, 2}, c:shape())
      assert.are.equal(t:get(2, 3, 3), c:get(2, 3, 2))
      c:fill(0)
      assert.are.equal(233, t:get(2, 3, 3))
      assert.are.same({2, 0, 4}, t:narrow(2, 4, 0):shape())
    end)
    it("raises on a bad dimension, start or length", function()
      local t = cube()
      assert.matches("bad argument #1 to 'narrow' %(dimension 0", err_of(function()
        return t:narrow(0, 1, 1) end))
      assert.matches("bad argument #2 to 'narrow' %(start 5 out of range 1..4", err_of(function()
        return t:narrow(2, 5, 1) end))
      assert.matches("bad argument #3 to 'narrow' %(length 3 out of range 0..2", err_of(function()
        return t:narrow(3, 3, 3) end))
      assert.matches("bad argument #3 to 'narrow'", err_of(function()
        return t:narrow(3, 1, math.maxinteger) end))
      assert.matches("bad argument #2 to 'narrow'", err_of(function()
        return t:narrow(3, math.mininteger, 1) end))
    end)
  end)

  describe(":select", function()
    it("takes one slice of any dimension, one dimension less", function()
      local t = cube()
      local s = t:select(3, 4)
      assert.are.same({2, 3}, s:shape())
      assert.are.same({{114, 124, 134}, {214, 224, 234}}, s:totable())
      assert.are.same({3, 4}, t:select(2):shape()) -- dimension 1, as before
      assert.are.same({{121, 122, 123, 124}, {221, 222, 223, 224}}, t:select(2, 2):totable())
    end)
    it("raises on an index out of range", function()
      assert.matches("bad argument #2 to 'select' %(index 5 out of range 1..4", err_of(
        function() return cube():select(3, 5) end))
    end)
  end)

  describe(":index", function()
    it("copies listed slices of any dimension, repeats allowed", function()
      local t = cube()
      local c = t:index(3, {4, 1, 4})
      assert.are.same({2, 3, 3}, c:shape())
      assert.are.same({114, 111, 114}, c:select(1, 1):select(1, 1):totable())
      assert.are.same(c:totable(), t:index(3, tensor.new({3}, {4, 1, 4})):totable())
      assert.are.same({1, 3, 4}, t:index{2}:shape()) -- dimension 1, as before
      assert.are.same({2, 0, 4}, t:index(2, {}):shape())
    end)
    it("raises on bad indices", function()
      local t = cube()
      assert.matches("bad argument #2 to 'index' %(index 0 out of range 1..3", err_of(function()
        return t:index(2, {1, 0}) end))
      assert.matches("bad argument #2 to 'index' %(index 2 is not an integer", err_of(function()
        return t:index(2, {1, 1.5}) end))
      assert.matches("bad argument #2 to 'index' %(index 1 is not an integer", err_of(function()
        return t:index(2, tensor.new({1}, {1e30})) end))
      -- lists are read raw: a __len that claims a huge length is never asked
      local huge = setmetatable({}, { __len = function() return math.maxinteger end })
      assert.are.equal(0, t:index(2, huge):size(2))
      assert.matches("bad argument #2 to 'index' %(list or tensor of indices expected", err_of(
        function() return t:index(2, "a") end))
    end)
  end)

  it("raises on freed tensors and on non-tensors", function()
    local t = cube()
    t:free()
    for _, name in ipairs{"permute", "transpose", "narrow", "select", "index"} do
      assert.matches("freed", err_of(function() return t[name](t, 1, 1, 1) end))
    end
    assert.matches("Tensor expected", err_of(function() return tensor.methods.permute({}, 1) end))
  end)

  it("documents each method at the prompt", function()
    local doc = require "sfew.doc"
    for _, name in ipairs{"permute", "transpose", "narrow", "select", "index"} do
      local e = doc.lookup(tensor.methods[name], name, true)
      assert.is_truthy(e, name)
      assert.matches("^t:" .. name .. "%(", e.sig)
    end
    assert.are.equal("t:permute(d1, ..., dn)", doc.lookup(tensor.methods.permute).sig)
  end)
end)
