-- sfew.data.synthesize_faces: the SFEW layout, determinism (same seed, same bytes),
-- class balance, options; and the contact sheet tool on the result.
local sfew = require "sfew"
local h = require "helpers"
local data = sfew.data

local read = h.slurp

describe("sfew.data", function()
  local dir
  setup(function() dir = h.tmpdir() end)
  teardown(function() h.rmdir(dir) end)

  describe(".synthesize_faces", function()
    it("writes balanced classes in the SFEW layout", function()
      assert.is_true(data.synthesize_faces { dir = dir .. "/a", n = 20, seed = 3 })
      local ds = assert(data.image_folder(dir .. "/a"))
      assert.are.same({ 3, 3, 3, 3, 3, 3, 2 }, ds.counts)
      assert.are.same({ 20, 1, 72, 90 }, ds.x:shape())
      local names = data.list_dir(dir .. "/a")
      assert.are.same(data.classes, names)
      -- Faces are not blank: real contrast in every image.
      assert.is_true(ds.x:max() > 0.8 and ds.x:min() < 0.2)
    end)
    it("gives the same bytes for the same seed and other bytes for another", function()
      local old = sfew.threads(1)
      data.synthesize_faces { dir = dir .. "/s1", n = 7, seed = 5 }
      sfew.threads(2)
      data.synthesize_faces { dir = dir .. "/s2", n = 7, seed = 5 }
      sfew.threads(old)
      data.synthesize_faces { dir = dir .. "/s3", n = 7, seed = 6 }
      for _, c in ipairs(data.classes) do
        local name = ("/%s/%s_%05d.png"):format(c, c, (sfew.data.classes[1] == c) and 0 or
          ({ Disgust = 1, Fear = 2, Happy = 3, Neutral = 4, Sad = 5, Surprise = 6 })[c])
        assert.are.equal(read(dir .. "/s1" .. name), read(dir .. "/s2" .. name))
        assert.are_not.equal(read(dir .. "/s1" .. name), read(dir .. "/s3" .. name))
      end
    end)
    it("takes size, gray and difficulty options", function()
      assert(data.synthesize_faces { dir = dir .. "/g", n = 7, width = 40, height = 32,
                                     gray = true, difficulty = 0 })
      local img = data.load_image(dir .. "/g/Happy/Happy_00003.png", { gray = true })
      assert.are.same({ 1, 32, 40 }, img:shape())
    end)
    it("raises on bad options", function()
      local ok, msg = pcall(data.synthesize_faces, "x")
      assert.is_false(ok); assert.matches("bad argument #1", msg)
      ok, msg = pcall(data.synthesize_faces, { n = 3 })
      assert.is_false(ok); assert.matches("dir", msg)
      ok, msg = pcall(data.synthesize_faces, { dir = dir .. "/x", width = 3 })
      assert.is_false(ok); assert.matches("bad argument #1", msg)
      ok, msg = pcall(data.synthesize_faces, { dir = dir .. "/x", difficulty = -1 })
      assert.is_false(ok); assert.matches("difficulty", msg)
    end)
  end)

  describe(".default_faces", function()
    it("generates a missing set under a temporary name, then reuses it", function()
      local target = dir .. "/deep/default"
      assert.are.equal(target, data.default_faces { dir = target, n = 14 })
      assert.are.equal(14, #assert(data.image_folder(target)))
      assert.are.equal(target, data.default_faces { dir = target, n = 99 })
      assert.are.same({ "default" }, data.list_dir(dir .. "/deep"))
    end)
  end)

  describe("tools/contact_sheet.lua", function()
    it("writes a labelled sheet of a folder", function()
      data.synthesize_faces { dir = dir .. "/c", n = 14, seed = 1 }
      local ok, out = h.run { h.root .. "/tools/contact_sheet.lua", dir .. "/c",
                              dir .. "/sheet.png", "2" }
      assert.is_true(ok, out)
      local sheet = assert(data.load_image(dir .. "/sheet.png"))
      assert.are.same(3, sheet:size(1))
      assert.is_true(sheet:size(2) >= 7 * 72)
    end)
  end)
end)
