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
    raises("out of range", function() return t:narrow(1, 2, math.maxinteger) end)
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

describe("sfew.checkpoint with a hostile generator state", function()
  it("refuses an all-zero generator state read from a checkpoint", function()
    local checkpoint = require "sfew.checkpoint"
    local r = sfew.rng(1)
    local zeros = string.rep("\0", #r:state())
    local path = os.tmpname()
    assert(checkpoint.save(path, { rng = { state = function() return zeros end } }))
    local ok, err = pcall(checkpoint.load, path, { rng = r })
    os.remove(path)
    assert.is_false(ok and err ~= nil, "the zero state was accepted")
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

  it("lpq and phog read their options raw: a metamethod freeing the image never runs",
    function()
      local F = require "sfew.core.features"
      for _, f in ipairs { F.lpq, F.phog } do
        local x = T.rand({ 16, 16 }, sfew.rng(1))
        local opts = setmetatable({}, { __index = function() x:free() collectgarbage() end })
        assert.is_true(T.is_tensor(f(x, opts)))
        local y = T.rand({ 16, 16 }, sfew.rng(1))
        local grid = setmetatable({}, { __index = function() y:free() return 2 end })
        raises("option 'grid'", F.lpq, y, { grid = grid })
      end
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

-- Writes bytes to a new temporary file and returns its path (the caller removes it).
local function temp_file(bytes, suffix)
  local base = os.tmpname()
  local path = base .. (suffix or "")
  if suffix then os.remove(base) end -- only the suffixed name is used
  local f = assert(io.open(path, "wb"))
  f:write(bytes)
  f:close()
  return path
end

describe("sfew.data files with odd bytes", function()
  local cd = require "sfew.core.data"

  it("read_csv refuses a drop list holding false or an absurd column", function()
    local path = temp_file("name,x,label\nq,1,2\n")
    raises("entry 1 must be a column number or name", cd.read_csv, path, { drop = { false } })
    raises("out of 1..3", cd.read_csv, path, { drop = { math.mininteger } })
    os.remove(path)
  end)

  it("read_csv names the line and column of a cell holding a NUL byte", function()
    local path = temp_file("a,label\n0.5\0junk,1\n")
    local v, msg = cd.read_csv(path)
    os.remove(path)
    assert.is_nil(v)
    assert.is_truthy(msg:find("line 2, column 1: a NUL byte", 1, true), msg)
  end)

  it("read_csv skips a UTF-8 byte order mark before the first header name", function()
    local path = temp_file("\239\187\191name,x,label\nq,1,2\n")
    local r = cd.read_csv(path, { name = "name" })
    os.remove(path)
    assert.are.same({ "x" }, r.columns)
    assert.are.same({ "q" }, r.names)
  end)

  it("load_image reads a top-down BMP (negative height) first row first", function()
    local w, h = 4, 2
    local function le32(v) return string.pack("<i4", v) end
    local rows = string.rep("\255", 3 * w) .. string.rep("\0", 3 * w) -- white, then black
    local bmp = "BM" .. le32(54 + #rows) .. le32(0) .. le32(54) .. le32(40) .. le32(w)
      .. le32(-h) .. string.pack("<i2i2", 1, 24) .. le32(0) .. le32(#rows) .. le32(2835)
      .. le32(2835) .. le32(0) .. le32(0) .. rows
    local path = temp_file(bmp, ".bmp")
    local img, msg = cd.load_image(path, { gray = true })
    os.remove(path)
    assert.is_not_nil(img, msg)
    assert.are.same({ 1, 2, 4 }, img:shape())
    assert.are.equal(1, img:get(1, 1, 1))
    assert.are.equal(0, img:get(1, 2, 1))
  end)
end)

describe("sfew.data.Dataset edge cases", function()
  local function dataset(n)
    return sfew.data.Dataset.new { x = T.rand({ n, 3 }, sfew.rng(1)), y = T.ones { n },
      classes = { "a" } }
  end

  it("split refuses a NaN fraction", function()
    local ds = dataset(10)
    raises("bad argument #1 to 'split'", ds.split, ds, 0 / 0, sfew.rng(1))
  end)

  it("normalize refuses an empty part instead of making NaN statistics", function()
    local a, b = dataset(10):split(1, sfew.rng(1))
    assert.are.equal(0, #b)
    raises("the dataset is empty", b.normalize, b)
    raises("stats hold NaN", a.normalize, a, { mean = 0 / 0, std = 1 })
    local stats = a:normalize()
    assert.is_true(stats.mean[1] == stats.mean[1])
  end)
end)

describe("sfew.optim under hostile input", function()
  it("load_state_dict reads the state raw: a tensors table yielding each tensor once", function()
    local p = T.ones { 2 }
    p.grad = T.ones { 2 }
    local opt = sfew.optim.Adam({ p }, { lr = 0.1 })
    opt:step()
    local sd = opt:state_dict()
    local seen, real = {}, sd.tensors
    sd.tensors = setmetatable({}, { __index = function(_, k)
      if seen[k] then return nil end
      seen[k] = true
      return real[k]
    end })
    raises("is missing", opt.load_state_dict, opt, sd)
    sd.tensors = real
    opt:load_state_dict(sd)
  end)
end)

describe("sfew.prune range checks and atomicity", function()
  local nn, prune = sfew.nn, sfew.prune

  local function mlp(bias)
    local r = sfew.rng(1)
    return nn.Sequential { nn.Linear(3, 4, { rng = r, bias = bias }), nn.Sigmoid(),
      nn.Linear(4, 2, { rng = r }) }
  end

  it("refuses a layer index out of range before looping from it", function()
    local net, x = mlp(true), T.rand({ 5, 3 }, sfew.rng(2))
    raises("layer -9223372036854775808 out of range 1..3", prune.hidden_activations, net, x,
      math.mininteger)
    raises("option 'layer'", prune.hidden_angles, net, x, { layer = math.mininteger })
    raises("option 'layer'", prune.pic_step, net, x, { layer = 99 })
    raises("option 'layer'", prune.pic_step, net, x, { layer = 1.5 })
  end)

  it("refuses a tensor as the network or as the dead list (ipairs would walk 2^32 rows)",
    function()
      local huge = T.zeros { 1 << 32, 0 }
      raises("Sequential expected", prune.distinctiveness, huge, T.ones { 2, 3 }, {})
      raises("bad argument #2 to 'most_alike'", prune.most_alike, T.ones { 3, 3 }, huge)
      raises("bad argument #2 to 'min_angle'", prune.min_angle, T.ones { 3, 3 }, huge)
    end)

  it("remove_unit leaves the network unchanged when the encoder has no bias", function()
    local net, x = mlp(false), T.rand({ 5, 3 }, sfew.rng(2))
    local before = net:forward(x):clone():flat()
    raises("has no bias", prune.remove_unit, net, 1, 2, { mode = "similar", into = 1 })
    assert.are.same(before, net:forward(x):flat())
  end)

  it("remove_channels and mask_kernels say what is wrong", function()
    local r = sfew.rng(1)
    local net = nn.Sequential { nn.Conv2d(1, 2, 3, { rng = r, bias = false }), nn.ReLU(),
      nn.Conv2d(2, 2, 3, { rng = r }) }
    raises("layer 1 (Conv2d) has no bias", prune.remove_channels, net, 1, { 1 })
    raises("bad argument #1 to 'mask_kernels' (Conv2d expected, got Linear)",
      prune.mask_kernels, mlp(true)[1], { 1 })
  end)

  it("merge_unit refuses math.mininteger before shifting it", function()
    local core = require "sfew.core.prune"
    raises("bad argument #3", core.merge_unit, T.ones { 2, 3 }, T.ones { 2 }, math.mininteger, 1)
  end)
end)
