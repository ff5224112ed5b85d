-- No script crashes the host: tables whose metamethods free or collect what the binding
-- reads, sizes that overflow, left-out optional arguments, odd bytes and hostile states all
-- end in a Lua error (or a defined result), never a crash. The ASan + UBSan suite runs this
-- file too, where an out-of-bounds read or a signed overflow fails it.
local sfew = require "sfew"
local T = require "sfew.tensor"

-- A table whose every access runs a full collection (and frees victim, if given) and
-- whose length is n: bindings must not see or run any of it.
local function hostile(n, victim)
  return setmetatable({}, {
    __index = function(_, i)
      if victim then victim:free() end
      collectgarbage()
      return T.ones { 1, 2 }, i
    end,
    __len = function() collectgarbage() return n end,
  })
end

local function raises(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok, "no error")
  assert.is_truthy(tostring(err):find(pattern, 1, true), tostring(err))
end

describe("sfew.tensor under hostile input", function()
  it("cat reads its list raw: a collecting __index is never run", function()
    raises("expected a non-empty list of tensors", T.cat, hostile(3))
    local t = T.cat { T.ones { 1, 2 }, T.zeros { 2, 2 } }
    assert.are.same({ 3, 2 }, t:shape())
  end)

  it("reshape refuses a size product that overflows", function()
    raises("shape too large", function() return T.zeros { 2 }:reshape { 3, 0x5555555555555556 } end)
    raises("shape too large", function() return T.zeros { 0 }:reshape { 0, 1 << 40, 1 << 40 } end)
  end)

  it("reshape reads its shape raw, before the tensor", function()
    local t = T.zeros { 4 }
    local shape = setmetatable({ 2, 2 }, { __index = function() t:free() end })
    assert.are.same({ 2, 2 }, t:reshape(shape):shape())
  end)

  it("narrow refuses a length whose end overflows", function()
    local t = T.zeros { 4, 2 }
    raises("length out of range", function() return t:narrow(1, 2, math.maxinteger) end)
  end)

  it("index reads its list raw and checks float indices before converting them", function()
    local t = T.new({ 3 }, { 10, 20, 30 })
    assert.are.same({ 30, 10 }, t:index { 3, 1 }:flat())
    raises("not an integer", function() return t:index(T.new({ 1 }, { 0 / 0 })) end)
    raises("not an integer", function() return t:index(T.new({ 1 }, { 1e30 })) end)
    raises("out of range", function() return t:index { math.mininteger } end)
  end)

  it("new reads its values raw", function()
    raises("0 values for a shape of 2", T.new, { 2 }, setmetatable({}, {
      __index = function() return 1 end, __len = function() return 2 end }))
  end)

  it("rand and randn without a generator draw from the default one", function()
    sfew.manual_seed(5)
    local a = T.rand { 2, 2 }
    sfew.manual_seed(5)
    assert.are.same(a:flat(), T.rand { 2, 2 }:flat())
    assert.are.same({ 2, 2 }, T.randn { 2, 2 }:shape())
    raises("bad argument #2", T.rand, { 2 }, 7)
  end)

  it("totable refuses billions of empty tables instead of building them", function()
    raises("too large for Lua lists", function() return T.zeros { 1 << 32, 0 }:totable() end)
    assert.are.same({ {}, {} }, T.zeros { 2, 0 }:totable())
  end)
end)

describe("sfew.rng under hostile input", function()
  it("refuses an all-zero state (normal() would never end)", function()
    local r = sfew.rng(1)
    local before = r:state()
    raises("not a generator state", r.set_state, r, string.rep("\0", #before))
    assert.are.equal(before, r:state())
    assert.is_number(r:normal())
  end)
end)

describe("sfew.data under hostile input", function()
  it("random_patches without a generator uses the default one", function()
    local p = sfew.data.random_patches(T.zeros { 2, 1, 8, 8 }, 2, 5)
    assert.are.same({ 5, 4 }, p:shape())
  end)

  it("draw_text draws bytes outside stb_easy_font's glyphs as '?'", function()
    local img = T.zeros { 3, 16, 64 }
    for _, text in ipairs { "café", "\t", "\127", "\0", "\255\1\31" } do
      sfew.data.draw_text(img, text, 1, 1)
    end
    local q = T.zeros { 3, 16, 64 }
    sfew.data.draw_text(q, "?", 1, 1)
    local t = T.zeros { 3, 16, 64 }
    sfew.data.draw_text(t, "\t", 1, 1)
    assert.are.same(q:flat(), t:flat())
  end)

  it("draw_text and paste take extreme positions", function()
    local img = T.zeros { 3, 8, 8 }
    sfew.data.draw_text(img, "hi", math.mininteger, math.maxinteger)
    sfew.data.paste(img, T.ones { 3, 2, 2 }, math.maxinteger, math.mininteger)
    sfew.data.paste(img, T.ones { 3, 2, 2 }, math.mininteger, 1)
    assert.are.equal(0, img:sum())
  end)

  it("draw_text reads its colour raw, after which the image is taken", function()
    local img = T.zeros { 1, 8, 8 }
    local colour = setmetatable({}, { __index = function() img:free() return 1 end })
    raises("bad argument #6", sfew.data.draw_text, img, "a", 1, 1, 1, colour)
    local ok = pcall(sfew.data.draw_text, T.zeros { 1, 8, 8 }, "a", 1, 1, 1,
      setmetatable({ 1, 1, 1 }, { __index = function() collectgarbage() end }))
    assert.is_true(ok)
  end)

  it("load_images reads its paths raw", function()
    local calls = 0
    local paths = setmetatable({}, {
      __index = function() calls = calls + 1 collectgarbage() return "x.png" end,
      __len = function() calls = calls + 1 return 3 end })
    local x = require("sfew.core.data").load_images(paths)
    assert.are.equal(0, calls)
    assert.are.equal(0, x:size(1))
    raises("entry 2 is not a string", require("sfew.core.data").load_images, { "a.png", 3 })
  end)
end)
