-- sfew.faces: face detection with OpenCV's trained Viola-Jones cascades (the XML files of
-- Debian's opencv-data, evaluated by the engine's own C: sfew.core.detect), face crops,
-- eye-based alignment, and the face-cropped loading behind image_folder{crop = "face"}.
local core = require "sfew.core.detect"
local cdata = require "sfew.core.data"
local argcheck = require "sfew.argcheck"
local doc = require "sfew.doc"
local tensor = require "sfew.tensor"

local M = {}

-- Where opencv-data installs its cascades, and the short names of the ones we use.
M.cascade_dir = "/usr/share/opencv4"
M.cascades = {
  haar_default = "haarcascades/haarcascade_frontalface_default.xml",
  haar_alt = "haarcascades/haarcascade_frontalface_alt.xml",
  haar_alt2 = "haarcascades/haarcascade_frontalface_alt2.xml",
  lbp = "lbpcascades/lbpcascade_frontalface.xml",
  lbp_improved = "lbpcascades/lbpcascade_frontalface_improved.xml",
  eye = "haarcascades/haarcascade_eye.xml",
}

local Detector = { __name = "sfew.FaceDetector" }
Detector.__index = Detector

function Detector:__tostring()
  return ("sfew.FaceDetector(%s, %s)"):format(self.name, tostring(self.cascade))
end

-- face_detector([name_or_path]) -> detector | nil, message
function M.face_detector(name_or_path)
  argcheck.type(name_or_path, "string", 1, "face_detector", true)
  local name = name_or_path or "haar_alt2"
  local path = M.cascades[name] and (M.cascade_dir .. "/" .. M.cascades[name]) or name
  if not M.cascades[name] and not name:find("[/.]") then
    local near = argcheck.suggest(name, M.cascades)
    argcheck.error(1, "face_detector", ("unknown detector '%s'%s"):format(
      name, near and (" (did you mean '%s'?)"):format(near) or ""))
  end
  local c, err = core.load(path)
  if not c then return nil, err end
  return setmetatable({ cascade = c, name = name, path = path }, Detector)
end

local detect_opts = argcheck.set { "scale_factor", "min_neighbors", "min_size", "max_size" }

local function size_opt(v, key, fname, level)
  if v == nil then return 0, 0 end
  local ok = type(v) == "table" and math.type(v[1]) == "integer" and
    math.type(v[2]) == "integer" and v[1] >= 0 and v[2] >= 0
  argcheck.check(ok, 2, fname, ("option '%s' must be {w, h} (non-negative integers)"):format(
    key), level + 1)
  return v[1], v[2]
end

-- det:detect(image [, {scale_factor = 1.1, min_neighbors = 3, min_size = {w, h},
-- max_size = {w, h}}]) -> list of {x, y, w, h, neighbors} (1-based pixels)
function Detector:detect(image, opts)
  if getmetatable(self) ~= Detector then
    argcheck.expected(1, "detect", "sfew.FaceDetector", self)
  end
  if not tensor.is_tensor(image) then argcheck.expected(1, "detect", "sfew.Tensor", image) end
  local d = image:dim()
  argcheck.check(d == 2 or (d == 3 and (image:size(1) == 1 or image:size(1) == 3)), 1,
    "detect", "image must be (C, H, W) with C = 1 or 3, or (H, W)")
  opts = argcheck.options(opts, detect_opts, 2, "detect")
  local sf = opts.scale_factor or 1.1
  argcheck.check(type(sf) == "number" and sf > 1 and sf <= 100, 2, "detect",
    "option 'scale_factor' must be a number in (1, 100]")
  local mn = opts.min_neighbors or 3
  argcheck.check(math.type(mn) == "integer" and mn >= 0, 2, "detect",
    "option 'min_neighbors' must be a non-negative integer")
  local min_w, min_h = size_opt(opts.min_size, "min_size", "detect", 1)
  local max_w, max_h = size_opt(opts.max_size, "max_size", "detect", 1)
  return self.cascade:detect(image, {
    scale_factor = sf, min_neighbors = mn, min_w = min_w, min_h = min_h,
    max_w = max_w, max_h = max_h })
end

-- The box with the largest area (the first of equals), or nil.
function M.largest(boxes)
  local best
  for _, b in ipairs(boxes) do
    if not best or b.w * b.h > best.w * best.h then best = b end
  end
  return best
end

local eye_detector -- loaded on first use of align = true

-- The two eyes in the upper part of the face box (image coordinates, 0-based centres),
-- left then right, or nil when fewer than two are found.
local function find_eyes(image, box, eyes)
  local top = math.max(1, math.floor(box.h * 0.6))
  local sub = core.crop(image, box.x - 1, box.y - 1, box.w, top, box.w, top)
  local found = eyes:detect(sub, { min_neighbors = 2 })
  local left, right
  for _, e in ipairs(found) do
    local cx = e.x - 1 + e.w / 2
    if e.w < box.w / 12 then -- noise, too small to be an eye of this face
      goto next
    end
    if cx < box.w / 2 then
      if not left or e.w > left.w then left = e end
    elseif not right or e.w > right.w then
      right = e
    end
    ::next::
  end
  if not (left and right) then return nil end
  local function centre(e)
    return box.x - 1 + e.x - 1 + e.w / 2, box.y - 1 + e.y - 1 + e.h / 2
  end
  local lx, ly = centre(left)
  local rx, ry = centre(right)
  return lx, ly, rx, ry
end

local crop_opts = argcheck.set { "margin", "width", "height", "align", "eyes" }

-- crop(image, box [, {margin = 0.2, width = 90, height = 72, align = false, eyes}])
-- -> (C, height, width) tensor, info {angle = degrees, eyes = 0 | 2}
function M.crop(image, box, opts)
  if not tensor.is_tensor(image) or image:dim() ~= 3 then
    argcheck.expected(1, "crop", "(C, H, W) sfew.Tensor", image)
  end
  local okbox = type(box) == "table" and type(box.x) == "number" and type(box.y) == "number"
    and type(box.w) == "number" and type(box.h) == "number" and box.w > 0 and box.h > 0
  argcheck.check(okbox, 2, "crop", "box {x, y, w, h} with positive w and h expected")
  opts = argcheck.options(opts, crop_opts, 3, "crop")
  local margin, ow, oh = opts.margin or 0.2, opts.width or 90, opts.height or 72
  argcheck.check(type(margin) == "number" and margin >= 0 and margin <= 10, 3, "crop",
    "option 'margin' must be a number in [0, 10]")
  argcheck.check(math.type(ow) == "integer" and ow >= 1 and math.type(oh) == "integer" and
    oh >= 1, 3, "crop", "options 'width' and 'height' must be positive integers")
  -- The margin-grown box, widened or heightened to the output's aspect ratio about its
  -- centre, so the face is never stretched.
  local w, h = box.w * (1 + 2 * margin), box.h * (1 + 2 * margin)
  if w / h < ow / oh then w = h * ow / oh else h = w * oh / ow end
  local cx, cy = box.x - 1 + box.w / 2, box.y - 1 + box.h / 2
  local angle, neyes = 0, 0
  if opts.align then
    local eyes = opts.eyes
    if eyes == nil then
      eye_detector = eye_detector or assert(M.face_detector("eye"))
      eyes = eye_detector
    end
    local lx, ly, rx, ry = find_eyes(image, box, eyes)
    if lx then
      angle, neyes = math.atan(ry - ly, rx - lx), 2
    end
  end
  local out = core.crop(image, cx - w / 2, cy - h / 2, w, h, ow, oh, angle)
  return out, { angle = math.deg(angle), eyes = neyes }
end

-- Loads each path, crops it to its largest face (the whole frame where none is found)
-- at width x height: x (N, C, H, W), kept flags, number skipped, face_found flags (for
-- the kept images). Used by data.image_folder{crop = "face"}.
function M.load_cropped(paths, opts)
  argcheck.check(opts.detector == nil or getmetatable(opts.detector) == Detector, 2,
    "image_folder", "option 'detector' must be a face detector (data.face_detector)", 2)
  local det = opts.detector or M.face_detector()
  if not det then return nil, "image_folder: no face detector (is opencv-data installed?)" end
  local gray = opts.gray == nil and true or opts.gray
  local ow, oh = opts.width or 90, opts.height or 72
  local crops, kept, found, nbad = {}, {}, {}, 0
  for i, path in ipairs(paths) do
    -- colour for the detector (OpenCV's gray); the crop is turned gray afterwards with the
    -- luma the plain loader uses, so both kinds of dataset see the same pixels
    local img, err = cdata.load_image(path)
    if not img then
      if not opts.skip_bad then return nil, err end
      kept[i], nbad = false, nbad + 1
    else
      local box = M.largest(det:detect(img))
      local c
      if box then
        c = M.crop(img, box, { margin = opts.margin, width = ow, height = oh, align = opts.align })
      else
        c = core.crop(img, 0, 0, img:size(3), img:size(2), ow, oh)
      end
      if gray and c:size(1) == 3 then
        c = c:narrow(1, 1, 1) * 0.299 + c:narrow(1, 2, 1) * 0.587 + c:narrow(1, 3, 1) * 0.114
      end
      crops[#crops + 1] = c:reshape { 1, c:size(1), oh, ow }
      kept[i], found[#found + 1] = true, box ~= nil
    end
  end
  if #crops == 0 then return nil, "image_folder: no readable images" end
  return tensor.cat(crops), kept, nbad, found
end

-- "a face in k of n images (p%)" for a list of per-image flags (or a dataset loaded with
-- crop = "face"); nil when there are none. Experiments put it in their reports.
function M.summary(found)
  found = type(found) == "table" and found.face_found or found
  if type(found) ~= "table" then return nil end
  local n = 0
  for _, f in ipairs(found) do if f then n = n + 1 end end
  return ("a face in %d of %d images (%.1f%%)"):format(n, #found,
    100 * n / math.max(1, #found)), n, #found
end

-- Prints the one summary line of a face-cropped load (unless opts.quiet) and returns
-- the per-image flags.
function M.report(found, opts)
  if not opts.quiet then
    local line, n = M.summary(found)
    io.stderr:write(("sfew.data: image_folder: %s; the other %d keep the whole frame\n")
      :format(line, #found - n))
  end
  return found
end

doc.register(M.face_detector, "sfew.data.face_detector([name_or_path])",
  "A Viola-Jones face detector from an OpenCV cascade XML file: a short name (haar_alt2 by "
  .. "default, haar_default, haar_alt, lbp, lbp_improved, eye: opencv-data's files in "
  .. M.cascade_dir .. ") or a path. Returns nil, message when the file is missing or is "
  .. "not a cascade. Detection matches OpenCV 4.6's CascadeClassifier window for window.")
doc.register(Detector.detect, "det:detect(image [, {scale_factor = 1.1, min_neighbors = 3, "
  .. "min_size = {w, h}, max_size = {w, h}}])",
  "Faces in a (C, H, W) or (H, W) image tensor with values in [0, 1], as OpenCV's "
  .. "detectMultiScale finds them: a list of boxes {x, y, w, h, neighbors} in 1-based "
  .. "pixels. Pyramid levels run on sfew.threads() threads; the result never depends on it.")
doc.register(M.crop, "sfew.data.crop(image, box [, {margin = 0.2, width = 90, height = 72, "
  .. "align = false, eyes = detector}])",
  "The box grown by margin on each side (and to the output's aspect ratio), resampled to "
  .. "width x height. align = true rotates the crop so the two eyes (haarcascade_eye) are "
  .. "level, and crops plainly when fewer than two are found. Returns the crop and "
  .. "{angle = degrees, eyes = 2 | 0}.")
doc.register(M.summary, "sfew.faces.summary(ds_or_flags)",
  "For a dataset loaded with image_folder{crop = \"face\"} (or its ds.face_found flags): "
  .. "the line \"a face in k of n images (p%)\", then k and n.")
doc.register("sfew.FaceDetector", "FaceDetector",
  "A face detector (sfew.data.face_detector): det:detect(image, opts), det.name, det.path.")

return M
