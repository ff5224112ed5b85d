-- sfew.augment (through sfew.data): each operation's effect, determinism across seeds and
-- thread counts, and bad arguments.
local data = require "sfew.data"
local sys = require "sfew.core.sys"
local tensor = require "sfew.tensor"

-- A batch whose pixels all differ: x[n][c][y][x] = a ramp plus noise.
local function batch(n, c, h, w, seed)
  return tensor.rand({n, c, h, w}, sys.rng(seed or 1)) + 0.5
end

local function at(f, c, H, W, n, ch, y, x) return f[((n * c + ch) * H + y) * W + x + 1] end

describe("sfew.augment", function()
  describe(":apply", function()
    it("flip with p = 1 mirrors every row", function()
      local x = batch(2, 2, 3, 5)
      local y = data.augment{data.flip{p = 1}}:apply(x, sys.rng(1))
      local a, b = x:flat(), y:flat()
      for n = 0, 1 do for ch = 0, 1 do for r = 0, 2 do for col = 0, 4 do
        assert.are.equal(at(a, 2, 3, 5, n, ch, r, col), at(b, 2, 3, 5, n, ch, r, 4 - col))
      end end end end
    end)

    it("shift moves each image by whole pixels within the padding, zero outside", function()
      local H, W, pad = 6, 7, 2
      local x = batch(6, 1, H, W)
      local y = data.augment{data.shift(pad)}:apply(x, sys.rng(3))
      local a, b = x:flat(), y:flat()
      for n = 0, 5 do
        local found = false
        for dy = -pad, pad do for dx = -pad, pad do
          local ok = true
          for r = 0, H - 1 do for col = 0, W - 1 do
            local sr, sc = r - dy, col - dx
            local want = (sr >= 0 and sr < H and sc >= 0 and sc < W)
              and at(a, 1, H, W, n, 0, sr, sc) or 0
            ok = ok and at(b, 1, H, W, n, 0, r, col) == want
          end end
          found = found or ok
        end end
        assert.is_true(found, "image " .. n .. " is not a shifted copy")
      end
    end)

    it("leaves images unchanged with rotate(0), jitter{} and shift(0)", function()
      local x = batch(3, 2, 5, 6)
      local y = data.augment{data.rotate(0), data.jitter{}, data.shift(0)}:apply(x, sys.rng(2))
      assert.is_true((y - x):abs():max() < 1e-6)
    end)

    it("rotation and scaling keep a centred disc near the centre", function()
      local H, W = 21, 21
      local f = {}
      for r = 0, H - 1 do for c = 0, W - 1 do
        f[r * W + c + 1] = (r - 10) ^ 2 + (c - 10) ^ 2 <= 16 and 1 or 0
      end end
      local x = tensor.from(f):reshape({1, 1, H, W})
      local y = data.augment{data.rotate(30, {scale = 0.2})}:apply(x, sys.rng(4))
      local ratio = y:sum() / x:sum()
      assert.is_true(ratio > 0.6 and ratio < 1.5, "mass ratio " .. ratio)
      assert.is_true(y:get(1, 1, 11, 11) > 0.99)
      assert.is_true(y:get(1, 1, 1, 1) == 0)
    end)

    it("jitter scales brightness and keeps the mean under contrast", function()
      local x = batch(5, 1, 8, 8)
      local y = data.augment{data.jitter{contrast = 0.5}}:apply(x, sys.rng(5))
      for n = 1, 5 do
        local xm = x:narrow(1, n, 1):mean()
        assert.is_true(math.abs(y:narrow(1, n, 1):mean() - xm) < 1e-5)
      end
      assert.is_true((y - x):abs():max() > 1e-3)
      y = data.augment{data.jitter{brightness = 0.3}}:apply(x, sys.rng(5))
      for n = 1, 5 do
        local k = y:narrow(1, n, 1):sum() / x:narrow(1, n, 1):sum()
        assert.is_true(k >= 0.7 - 1e-5 and k <= 1.3 + 1e-5)
      end
    end)

    it("erase with p = 1 zeroes one rectangle of the allowed area", function()
      local H, W = 20, 24
      local x = batch(4, 1, H, W)
      local y = data.augment{data.erase{p = 1}}:apply(x, sys.rng(6))
      local b = y:flat()
      for n = 0, 3 do
        local zeros = 0
        for i = n * H * W + 1, (n + 1) * H * W do zeros = zeros + (b[i] == 0 and 1 or 0) end
        assert.is_true(zeros >= 0.02 * H * W * 0.5 and zeros <= 0.33 * H * W * 1.5,
          "erased " .. zeros)
      end
    end)

    it("gives the same bytes for the same seed with 1 and 2 threads, others for another seed",
      function()
        local x = batch(40, 1, 72, 90)
        local aug = data.augment{data.flip(), data.shift(4), data.rotate(10, {scale = 0.1}),
          data.jitter{brightness = 0.2, contrast = 0.2}, data.erase{p = 0.5}}
        local old = sys.threads()
        sys.threads(1)
        local a = aug:apply(x, sys.rng(7))
        sys.threads(2)
        local b = aug:apply(x, sys.rng(7))
        local c = aug:apply(x, sys.rng(8))
        sys.threads(old)
        assert.are.equal(0, (a - b):abs():max())
        assert.is_true((a - c):abs():max() > 0)
        assert.are.same({40, 1, 72, 90}, a:shape())
      end)

    it("leaves its input as it was", function()
      local x = batch(2, 1, 6, 6)
      local before = x:clone()
      data.augment{data.flip{p = 1}, data.erase{p = 1}}:apply(x, sys.rng(1))
      assert.are.equal(0, (x - before):abs():max())
    end)
  end)

  it("prints its operations", function()
    assert.are.equal("data.augment{flip, shift, affine}",
      tostring(data.augment{data.flip(), data.shift(2), data.rotate(5)}))
  end)

  it("raises on bad arguments, naming the argument", function()
    local ok, err = pcall(data.shift, -1)
    assert.is_false(ok)
    assert.matches("bad argument #1 to 'shift'", err)
    ok, err = pcall(data.jitter, {brightnes = 0.2})
    assert.is_false(ok)
    assert.matches("bad argument #1 to 'jitter'.*brightness", err)
    ok, err = pcall(data.augment, {1})
    assert.is_false(ok)
    assert.matches("bad argument #1 to 'augment'", err)
    local aug = data.augment{data.flip()}
    ok, err = pcall(aug.apply, aug, tensor.zeros({2, 3}))
    assert.is_false(ok)
    assert.matches("bad argument #2 to '[%w.]*apply' %(4%-D N x C x H x W tensor expected", err)
    ok, err = pcall(function()
      data.augment{data.erase{area = {0.5, 0.1}}}:apply(tensor.zeros({1, 1, 4, 4}))
    end)
    assert.is_false(ok)
    assert.matches("operation 1: area", err)
    ok, err = pcall(function()
      data.augment{data.jitter{contrast = 2}}:apply(tensor.zeros({1, 1, 4, 4}))
    end)
    assert.is_false(ok)
    assert.matches("operation 1: brightness and contrast", err)
  end)

  describe(".parse_augment", function()
    it("reads a command line's list, with each parameter after a colon", function()
      local ops = data.parse_augment("flip, shift:3,rotate:12.5,scale,erase")
      assert.are.same({ "flip", "shift", "affine", "affine", "erase" }, { ops[1].kind,
        ops[2].kind, ops[3].kind, ops[4].kind, ops[5].kind })
      assert.are.equal(3, ops[2].pad)
      assert.are.equal(12.5, ops[3].degrees)
      assert.are.equal(0.1, ops[4].scale)
      assert.are.same({}, data.parse_augment("none"))
      assert.are.equal(2, data.parse_augment("shift")[1].pad)
    end)

    it("raises on a name or parameter it does not know, naming the item", function()
      local ok, err = pcall(data.parse_augment, "flip,rotat:3")
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'parse_augment' %(unknown augmentation 'rotat' %(did "
        .. "you mean 'rotate'%?%)%)", err)
      for _, bad in ipairs { "shift:2.5", "flip:1", "", "flip,,erase", "shift:-1" } do
        ok, err = pcall(data.parse_augment, bad)
        assert.is_false(ok, bad)
        assert.matches("bad argument #1 to 'parse_augment'", err)
      end
      assert.has_error(function() data.parse_augment(3) end,
        "bad argument #1 to 'parse_augment' (string expected, got number)")
    end)
  end)
end)
