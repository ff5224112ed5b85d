-- sfew.faces (sfew.data.face_detector, det:detect, data.crop, image_folder{crop = "face"}):
-- the windows, groups and boxes OpenCV 4.6 finds on the fixture photographs (made by
-- tools/make_face_fixtures.py), hand-checked faces, and bad input.
local data = require "sfew.data"
local faces = require "sfew.faces"
local core = require "sfew.core.detect"
local sys = require "sfew.core.sys"
local tensor = require "sfew.tensor"
local h = require "helpers"

local dir = h.root .. "/tests/fixtures/faces/"
local NAMES = { "haar_default", "haar_alt", "haar_alt2", "lbp", "lbp_improved" }
local IMAGES = { "hopper", "astronaut", "camera", "rocket", "hopper_s", "astronaut_s",
  "camera_s" }

-- windows.csv as want[image][cascade][what] = sorted list of "x y w h n" (1-based).
local function fixture()
  local want = {}
  for line in io.lines(dir .. "windows.csv") do
    local im, c, what, x, y, w, hh, n = line:match(
      "^([^,]+),([^,]+),([^,]+),(%-?%d+),(%-?%d+),(%d+),(%d+),(%d+)$")
    if im then
      want[im] = want[im] or {}
      want[im][c] = want[im][c] or {}
      local list = want[im][c][what] or {}
      want[im][c][what] = list
      list[#list + 1] = { x = x + 1, y = y + 1, w = tonumber(w), h = tonumber(hh),
        neighbors = tonumber(n) }
    end
  end
  return want
end

local function keys(boxes)
  local out = {}
  for i, b in ipairs(boxes) do
    out[i] = ("%d %d %d %d %d"):format(b.x, b.y, b.w, b.h, b.neighbors)
  end
  table.sort(out)
  return out
end

local want = fixture()
local detectors, images = {}, {}
for _, n in ipairs(NAMES) do detectors[n] = assert(data.face_detector(n)) end
for _, im in ipairs(IMAGES) do images[im] = assert(data.load_image(dir .. im .. ".png")) end

local function get(im, c, what)
  return (want[im] and want[im][c] and want[im][c][what]) or {}
end

describe("sfew.faces", function()
  describe("det:detect", function()
    it("finds OpenCV's raw windows exactly at the cascade's own scale, for every cascade",
      function()
        local total = 0
        for _, c in ipairs(NAMES) do
          local ww, wh = detectors[c].cascade:window()
          for _, im in ipairs(IMAGES) do
            local got = detectors[c]:detect(images[im], { min_neighbors = 0,
              min_size = { ww, wh }, max_size = { ww, wh } })
            assert.are.same(keys(get(im, c, "raw1")), keys(got), im .. " " .. c)
            total = total + #got
          end
        end
        assert.is_true(total >= 10)
      end)

    it("finds OpenCV's raw windows exactly over the whole pyramid", function()
      for _, c in ipairs(NAMES) do
        for _, im in ipairs(IMAGES) do
          local got = detectors[c]:detect(images[im], { min_neighbors = 0 })
          assert.are.same(keys(get(im, c, "rawall")), keys(got), im .. " " .. c)
        end
      end
    end)

    it("takes the level nearest the min size when no level fits the size limits", function()
      local total = 0
      for _, c in ipairs(NAMES) do
        local ww, wh = detectors[c].cascade:window()
        local w15, h15 = math.floor(ww * 1.5 + 0.5), math.floor(wh * 1.5 + 0.5)
        local odd = { { { w15, h15 }, { w15, h15 } }, { { 1000, 1000 }, nil },
          { nil, { 10, 10 } } }
        for _, im in ipairs(IMAGES) do
          for k, lim in ipairs(odd) do
            local got = detectors[c]:detect(images[im], { min_neighbors = 0,
              min_size = lim[1], max_size = lim[2] })
            assert.are.same(keys(get(im, c, "odd" .. k)), keys(got), im .. " " .. c .. " " .. k)
            total = total + #got
          end
        end
      end
      assert.is_true(total >= 10)
    end)

    it("gives detectMultiScale's boxes and neighbour counts within 2 pixels", function()
      for _, c in ipairs(NAMES) do
        for _, im in ipairs(IMAGES) do
          local exp, got = get(im, c, "full"), detectors[c]:detect(images[im])
          assert.are.equal(#exp, #got, im .. " " .. c)
          table.sort(exp, function(a, b) return a.x < b.x end)
          table.sort(got, function(a, b) return a.x < b.x end)
          for i = 1, #exp do
            for _, k in ipairs { "x", "y", "w", "h" } do
              assert.is_true(math.abs(exp[i][k] - got[i][k]) <= 2, im .. " " .. c .. " " .. k)
            end
            assert.are.equal(exp[i].neighbors, got[i].neighbors)
          end
        end
      end
    end)

    it("finds one face in each portrait and none in the landscape", function()
      local det = detectors.haar_alt2
      local hop = det:detect(images.hopper)
      assert.are.equal(1, #hop)
      -- hand-checked: the face spans the forehead to the chin, centred on the nose
      assert.is_true(hop[1].x >= 40 and hop[1].x <= 55 and hop[1].y >= 20 and hop[1].y <= 35)
      assert.is_true(hop[1].w >= 65 and hop[1].w <= 85)
      assert.are.equal(1, #det:detect(images.astronaut))
      assert.are.equal(0, #det:detect(images.rocket))
      assert.are.equal(0, #detectors.lbp:detect(images.rocket))
    end)

    it("finds the same raw windows with the scalar Haar scan as with the vectorised one",
      function()
        local f = os.tmpname()
        os.execute(("SFEW_ISA=generic %s -e %s > %s 2>&1"):format(h.quote(h.sfewlua), h.quote(
          "package.path = 'tests/?.lua;' .. package.path; " ..
          "print(table.concat(require('detect_raw').lines(" .. ("%q"):format(dir) .. "), '\\n'))"),
          h.quote(f)))
        local scalar = {}
        for line in io.lines(f) do scalar[#scalar + 1] = line end
        os.remove(f)
        local here = require("detect_raw").lines(dir)
        assert.is_true(#here > 100, #here .. " windows")
        assert.are.same(here, scalar)
      end)

    it("gives the same boxes on one thread and on several", function()
      local old = sys.threads()
      local ok, err = pcall(function()
        for _, c in ipairs { "haar_alt2", "lbp" } do
          sys.threads(1)
          local one = keys(detectors[c]:detect(images.hopper, { min_neighbors = 0 }))
          sys.threads(3)
          local three = keys(detectors[c]:detect(images.hopper, { min_neighbors = 0 }))
          assert.are.same(one, three)
        end
      end)
      sys.threads(old)
      assert(ok, err)
    end)

    it("sees colour images through OpenCV's BGR2GRAY", function()
      -- R, G, B and the gray cv2.cvtColor gives (pixels of skimage's astronaut.png)
      local px = { { 96, 64, 2, 67 }, { 122, 100, 73, 104 }, { 117, 85, 23, 88 } }
      for _, p in ipairs(px) do
        local img = tensor.new({ 3, 1, 1 }, { p[1] / 255, p[2] / 255, p[3] / 255 })
        assert.are.equal(p[4], math.floor(core.gray(img):flat()[1] * 255 + 0.5))
      end
    end)

    it("returns no boxes for an empty, a 1x1 or a smaller-than-window image", function()
      local det = detectors.haar_alt2
      assert.are.same({}, det:detect(tensor.zeros { 3, 0, 0 }))
      assert.are.same({}, det:detect(tensor.zeros { 1, 1, 1 }))
      assert.are.same({}, det:detect(tensor.zeros { 1, 19, 19 }))
      assert.are.same({}, det:detect(tensor.zeros { 1, 19, 400 }))
      assert.are.same({}, detectors.lbp:detect(tensor.zeros { 3, 24, 24 }))
    end)

    it("raises on bad images and options", function()
      local det = detectors.haar_alt2
      assert.has_error(function() det:detect("x") end)
      local ok, err = pcall(det.detect, det, tensor.zeros { 2, 30, 30 })
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'detect'", err)
      ok, err = pcall(det.detect, det, images.hopper, { min_neighbour = 3 })
      assert.is_false(ok)
      assert.matches("bad argument #2 to 'detect' %(unknown option 'min_neighbour' "
        .. "%(did you mean 'min_neighbors'", err)
      ok, err = pcall(det.detect, det, images.hopper, { scale_factor = 1 })
      assert.is_false(ok)
      assert.matches("scale_factor", err)
      ok, err = pcall(det.detect, det, images.hopper, { min_size = 20 })
      assert.is_false(ok)
      assert.matches("min_size", err)
    end)
  end)

  describe("group", function()
    it("equals OpenCV's groupRectangles on the raw windows", function()
      local n = 0
      for _, c in ipairs(NAMES) do
        for _, im in ipairs(IMAGES) do
          local raw = get(im, c, "raw1")
          if #raw > 0 then
            assert.are.same(keys(get(im, c, "group")), keys(core.group(raw, 1, 0.2)))
            n = n + 1
          end
        end
      end
      assert.is_true(n >= 5)
    end)

    it("drops a small group inside a larger, better supported one", function()
      local boxes = {}
      for i = 1, 5 do boxes[#boxes + 1] = { x = 10 + i % 2, y = 10, w = 100, h = 100 } end
      for _ = 1, 2 do boxes[#boxes + 1] = { x = 40, y = 40, w = 20, h = 20 } end
      local g = core.group(boxes, 1, 0.2)
      assert.are.equal(1, #g)
      assert.are.equal(5, g[1].neighbors)
    end)
  end)

  describe(".face_detector", function()
    it("loads every short name and a path", function()
      assert.are.equal("haar_alt2", data.face_detector().name)
      assert.matches("LBP 45x45", tostring(data.face_detector("lbp_improved").cascade))
      assert.matches("HAAR", tostring(data.face_detector(faces.cascade_dir ..
        "/haarcascades/haarcascade_eye.xml").cascade))
    end)

    it("returns nil and a message naming the file for bad cascade files", function()
      local tmp = h.tmpdir()
      local function try(name, text)
        local f = assert(io.open(tmp .. "/" .. name, "wb"))
        f:write(text)
        f:close()
        return data.face_detector(tmp .. "/" .. name)
      end
      local real = assert(io.open(faces.cascade_dir .. "/" .. faces.cascades.lbp)):read("a")
      local cases = {
        { "a.xml", "this is not xml", "not XML" },
        { "b.xml", real:sub(1, #real // 2), "truncated" },
        { "c.xml", "", "no elements" },
        { "d.xml", "<opencv_storage><old type_id=\"opencv-haar-classifier\"><size>24 24</size>"
          .. "<stages></stages></old></opencv_storage>", "old%-format" },
        { "e.xml", (real:gsub("<rect>%s*0 0 3 5</rect>", "<rect>0 0 30 5</rect>", 1)),
          "outside" },
        { "f.xml", (real:gsub("<featureType>LBP", "<featureType>HOG")), "featureType" },
        { "g.xml", (real:gsub("0 %-1 46 ", "0 -1 4600 ", 1)), "feature index" },
      }
      for _, case in ipairs(cases) do
        local det, err = try(case[1], case[2])
        assert.is_nil(det, case[1])
        assert.matches(case[1], err)
        assert.matches(case[3], err)
      end
      local haar = assert(io.open(faces.cascade_dir .. "/" .. faces.cascades.eye)):read("a")
      local det, err = try("t.xml", (haar:gsub("</rects>", "</rects><tilted>1</tilted>", 1)))
      assert.is_nil(det)
      assert.matches("tilted", err)
      det, err = data.face_detector(h.root .. "/tests/fuzz/regressions/cascade/no-stages.xml")
      assert.is_nil(det)
      assert.matches("no <stages>", err)
      det, err = data.face_detector(tmp .. "/missing.xml")
      assert.is_nil(det)
      assert.matches("missing.xml", err)
      h.rmdir(tmp)
    end)

    it("raises on an unknown short name, suggesting the closest", function()
      local ok, err = pcall(data.face_detector, "haar_alt3")
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'face_detector' %(unknown detector 'haar_alt3' "
        .. "%(did you mean 'haar_alt", err)
    end)
  end)

  describe(".crop", function()
    it("cuts the face with a margin at the output size", function()
      local box = detectors.haar_alt2:detect(images.hopper)[1]
      local c, info = data.crop(images.hopper, box)
      assert.are.same({ 3, 72, 90 }, c:shape())
      assert.are.equal(0, info.angle)
      local g = data.crop(images.camera, { x = 1, y = 1, w = 144, h = 144 },
        { margin = 0, width = 16, height = 16 })
      assert.are.same({ 3, 16, 16 }, g:shape())
      assert.is_true(math.abs(g:mean() - images.camera:mean()) < 0.02)
    end)

    it("levels the eyes of a tilted head with align = true", function()
      local head = assert(data.load_image(dir .. "astronaut_head.png"))
      local angles = {}
      for _, deg in ipairs { 0, 12, -12 } do
        local tilted = core.crop(head, 0, 0, 200, 200, 200, 200, math.rad(deg))
        local box = faces.largest(detectors.haar_alt2:detect(tilted))
        local c, info = data.crop(tilted, box, { align = true })
        assert.are.same({ 3, 72, 90 }, c:shape())
        assert.are.equal(2, info.eyes)
        angles[deg] = info.angle
      end
      -- turning the image by 12 degrees turns the eye line by 12 the other way
      assert.is_true(math.abs(angles[0] - angles[12] - 12) < 5)
      assert.is_true(math.abs(angles[-12] - angles[0] - 12) < 5)
    end)

    it("falls back to a plain crop when fewer than two eyes are found", function()
      local box = { x = 1, y = 1, w = 100, h = 100 }
      local flat = tensor.zeros { 1, 100, 100 }:fill(0.5)
      local a, info = data.crop(flat, box, { align = true })
      assert.are.equal(0, info.eyes)
      assert.are.same(data.crop(flat, box):flat(), a:flat())
    end)

    it("raises on bad boxes and options", function()
      local _, err = pcall(data.crop, images.hopper, { x = 1, y = 1, w = 0, h = 5 })
      assert.matches("bad argument #2 to 'crop'", err)
      local ok
      ok, err = pcall(data.crop, images.hopper, { x = 1, y = 1, w = 5, h = 5 }, { widt = 5 })
      assert.is_false(ok)
      assert.matches("did you mean 'width'", err)
    end)
  end)

  describe(".image_folder{crop = 'face'}", function()
    it("crops found faces, keeps the whole frame otherwise, and flags which", function()
      local tmp = h.tmpdir()
      os.execute(("mkdir -p '%s/Happy' '%s/Sad'"):format(tmp, tmp))
      os.execute(("cp '%shopper.png' '%s/Happy/a.png'"):format(dir, tmp))
      os.execute(("cp '%srocket.png' '%s/Sad/b.png'"):format(dir, tmp))
      local ds = assert(data.image_folder(tmp, { crop = "face", quiet = true,
        detector = detectors.haar_alt2, width = 45, height = 36 }))
      assert.are.same({ 2, 1, 36, 45 }, ds.x:shape())
      assert.are.same({ true, false }, ds.face_found)
      assert.are.equal("a face in 1 of 2 images (50.0%)", (faces.summary(ds)))
      local ok, err = pcall(data.image_folder, tmp, { crop = "face", detector = "lbp" })
      assert.is_false(ok)
      assert.matches("bad argument #2 to 'image_folder' %(option 'detector'", err)
      ok, err = pcall(data.image_folder, tmp, { crop = "faces" })
      assert.is_false(ok)
      assert.matches("option 'crop'", err)
      h.rmdir(tmp)
    end)
  end)
end)
