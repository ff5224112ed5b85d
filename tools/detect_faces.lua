-- Finds the faces in every image under DIR (and its class folders) with an OpenCV cascade
-- and writes, under OUT: crops/<image>_<k>.png (each face, 90x72 with a 20% margin),
-- boxes.csv (image,face,x,y,w,h,neighbors; 1-based pixels; face 0 = none found) and
-- contact_sheet.png (the first 100 frames as thumbnails with their boxes drawn).
-- Usage: sfewlua tools/detect_faces.lua DIR OUT [--detector NAME|PATH] [--align]
local data = require "sfew.data"
local faces = require "sfew.faces"
local core = require "sfew.core.detect"
local cdata = require "sfew.core.data"
local tensor = require "sfew.tensor"

local usage = "usage: sfewlua tools/detect_faces.lua DIR OUT [--detector NAME|PATH] [--align]"
local pos, detector, align = {}, "haar_alt2", false
local i = 1
while arg[i] do
  if arg[i] == "--detector" then
    detector = arg[i + 1] or error(usage)
    i = i + 1
  elseif arg[i] == "--align" then
    align = true
  elseif arg[i] == "--help" or arg[i]:sub(1, 2) == "--" then
    io.stderr:write(usage, "\n")
    os.exit(arg[i] == "--help" and 0 or 2)
  else
    pos[#pos + 1] = arg[i]
  end
  i = i + 1
end
if #pos ~= 2 then
  io.stderr:write(usage, "\n")
  os.exit(2)
end
local dir, out = pos[1], pos[2]

local image_ext = { png = true, jpg = true, jpeg = true, bmp = true, gif = true, tga = true }

-- Image paths under root and one level of folders below it, sorted.
local function images_under(root)
  local list = {}
  local function scan(d, rel, depth)
    local names, isdir = data.list_dir(d)
    if not names then return end
    for k, name in ipairs(names) do
      if name:sub(1, 1) ~= "." then
        local ext = name:match("%.([^.]+)$")
        if isdir[k] and depth < 1 then
          scan(d .. "/" .. name, rel .. name .. "/", depth + 1)
        elseif not isdir[k] and ext and image_ext[ext:lower()] then
          list[#list + 1] = { path = d .. "/" .. name, rel = rel .. name }
        end
      end
    end
  end
  scan(root, "", 0)
  table.sort(list, function(a, b) return a.rel < b.rel end)
  return list
end

local det = assert(faces.face_detector(detector))
local list = images_under(dir)
if #list == 0 then
  io.stderr:write("detect_faces: no images in ", dir, "\n")
  os.exit(1)
end
assert(cdata.mkdir(out))
assert(cdata.mkdir(out .. "/crops"))

local TW, TH, COLS, MAX_SHEET = 180, 144, 8, 100
local nsheet = math.min(#list, MAX_SHEET)
local rows = (nsheet + COLS - 1) // COLS
local sheet = tensor.zeros { 3, rows * TH, math.min(nsheet, COLS) * TW }
local csv = { "image,face,x,y,w,h,neighbors" }
local found = 0
for k, item in ipairs(list) do
  local img, err = data.load_image(item.path)
  if not img then
    io.stderr:write("detect_faces: skipping ", err, "\n")
  else
    local boxes = det:detect(img)
    table.sort(boxes, function(a, b) return a.w * a.h > b.w * b.h end)
    local stem = item.rel:gsub("%.[^.]+$", ""):gsub("/", "_")
    for f, b in ipairs(boxes) do
      csv[#csv + 1] = ("%s,%d,%d,%d,%d,%d,%d"):format(item.rel, f, b.x, b.y, b.w, b.h,
        b.neighbors)
      local c = data.crop(img, b, { align = align })
      data.write_png(c, ("%s/crops/%s_%d.png"):format(out, stem, f))
    end
    if #boxes == 0 then csv[#csv + 1] = item.rel .. ",0,,,,," else found = found + 1 end
    if k <= nsheet then
      if img:size(1) == 1 then img = tensor.cat { img, img, img } end
      local thumb = core.crop(img, 0, 0, img:size(3), img:size(2), TW, TH)
      local sx, sy = TW / img:size(3), TH / img:size(2)
      for _, b in ipairs(boxes) do
        core.draw_box(thumb, math.floor((b.x - 1) * sx) + 1, math.floor((b.y - 1) * sy) + 1,
          math.max(1, math.floor(b.w * sx)), math.max(1, math.floor(b.h * sy)), { 0, 1, 0 }, 2)
      end
      data.paste(sheet, thumb, ((k - 1) // COLS) * TH + 1, ((k - 1) % COLS) * TW + 1)
    end
  end
end
local f = assert(io.open(out .. "/boxes.csv", "w"))
f:write(table.concat(csv, "\n"), "\n")
f:close()
data.write_png(sheet, out .. "/contact_sheet.png")
print(("detect_faces: a face in %d of %d images (%s); wrote %s/{crops/,boxes.csv,"
  .. "contact_sheet.png}"):format(found, #list, det.name, out))
