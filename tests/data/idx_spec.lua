-- sfew.data IDX files and Fashion-MNIST: header checks on tiny hand-made files, gzip,
-- and the real Debian test set when it is installed.
local sfew = require "sfew"
local h = require "helpers"
local data = sfew.data
local core = require "sfew.core.data"

local idx = h.write_idx

describe("sfew.data", function()
  local dir
  setup(function() dir = h.tmpdir() end)
  teardown(function() h.rmdir(dir) end)

  describe(".read_idx", function()
    it("reads bytes with their shape, scaled", function()
      local p = idx(dir .. "/a.idx", 3, { 2, 1, 3 }, "\0\1\2\3\4\255")
      local t = core.read_idx(p, 3, 1 / 255)
      assert.are.same({ 2, 1, 3 }, t:shape())
      assert.is_true(math.abs(t:get(2, 1, 3) - 1) < 1e-7)
      assert.are.same({ 0, 1, 2, 3, 4, 255 }, core.read_idx(p, 3):flat())
    end)
    it("refuses bad magic, wrong dimensions, absurd sizes and short files", function()
      local bad = {
        { idx(dir .. "/m.idx", 3, { 1, 1, 1 }, "\0"), 1, "magic number" },
        { idx(dir .. "/z.idx", 1, { 0 }, ""), 1, "bad size 0" },
        { idx(dir .. "/s.idx", 1, { 5 }, "\1\2"), 1, "too short" },
        { idx(dir .. "/b.idx", 3, { 65536, 65536, 65536 }, ""), 3, "bad size" },
      }
      local f = assert(io.open(dir .. "/x.idx", "wb")); f:write("\0\0\9\1"); f:close()
      bad[#bad + 1] = { dir .. "/x.idx", 1, "magic number" }
      for _, c in ipairs(bad) do
        local t, msg = core.read_idx(c[1], c[2])
        assert.is_nil(t)
        assert.matches(c[3], msg)
        assert.matches(c[1], msg, 1, true)
      end
      local ok, msg = pcall(core.read_idx, dir .. "/x.idx", 9)
      assert.is_false(ok); assert.matches("bad argument #2", msg)
    end)
  end)

  describe(".fashion_mnist", function()
    it("reads a gzipped set laid out as Debian ships it", function()
      local sub = dir .. "/fm"
      core.mkdir(sub)
      local img = string.rep("\128", 28 * 28 * 3)
      for _, part in ipairs { "train", "t10k" } do
        idx(sub .. "/" .. part .. "-images-idx3-ubyte", 3, { 3, 28, 28 }, img)
        idx(sub .. "/" .. part .. "-labels-idx1-ubyte", 1, { 3 }, "\0\9\4")
      end
      assert(os.execute("gzip -f " .. h.quote(sub) .. "/*-ubyte"))
      local train, test = assert(data.fashion_mnist(sub))
      assert.are.same({ 3, 1, 28, 28 }, train.x:shape())
      assert.are.same({ 1, 10, 5 }, test.y:flat())
      assert.are.equal(10, #train.classes)
      idx(sub .. "/t10k-labels-idx1-ubyte.gz", 1, { 2 }, "\0\1")
      local none, msg = data.fashion_mnist(sub)
      assert.is_nil(none)
      assert.matches("3 images (3x28x28) and 2 labels", msg, 1, true)
      none, msg = data.fashion_mnist(dir .. "/nowhere")
      assert.is_nil(none); assert.matches("nowhere", msg)
      local ok
      ok, msg = pcall(data.fashion_mnist, 5)
      assert.is_false(ok); assert.matches("bad argument #1", msg)
    end)
    it("pads every image with a border of background when asked", function()
      local sub = dir .. "/fp"
      core.mkdir(sub)
      local img = {}
      for i = 1, 2 * 28 * 28 do img[i] = string.char(i % 256) end
      for _, part in ipairs { "train", "t10k" } do
        idx(sub .. "/" .. part .. "-images-idx3-ubyte", 3, { 2, 28, 28 }, table.concat(img))
        idx(sub .. "/" .. part .. "-labels-idx1-ubyte", 1, { 2 }, "\0\9")
      end
      assert(os.execute("gzip -f " .. h.quote(sub) .. "/*-ubyte"))
      local plain = assert(data.fashion_mnist(sub))
      local train, test = assert(data.fashion_mnist(sub, { pad = 2 }))
      assert.are.same({ 2, 1, 32, 32 }, train.x:shape())
      assert.are.same({ 2, 1, 32, 32 }, test.x:shape())
      for _, at in ipairs { { 1, 1 }, { 2, 32 }, { 32, 5 }, { 7, 31 } } do
        assert.are.equal(0, train.x:get(2, 1, at[1], at[2]))
      end
      for _, at in ipairs { { 1, 1 }, { 28, 28 }, { 5, 17 } } do
        assert.are.equal(plain.x:get(2, 1, at[1], at[2]), train.x:get(2, 1, at[1] + 2, at[2] + 2))
      end
      assert.is_true(math.abs(plain.x:sum() - train.x:sum()) < 1e-3)
      local ok, msg = pcall(data.fashion_mnist, sub, { pad = -1 })
      assert.is_false(ok)
      assert.matches("bad argument #2 to 'fashion_mnist' (option 'pad' must be an integer",
        msg, 1, true)
    end)
    it("reads Debian's test set when installed", function()
      local f = io.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")
      if not f then return end -- dataset-fashion-mnist is not installed here
      f:close()
      local test = assert(data.fashion_mnist(nil, { test_only = true }))
      assert.are.same({ 10000, 1, 28, 28 }, test.x:shape())
      assert.are.same({ 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000 },
                      test.counts)
    end)
  end)
end)
