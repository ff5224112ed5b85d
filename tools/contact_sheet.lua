-- Writes a contact sheet of an image-folder dataset: one row per class, labelled, with
-- the first samples of each class, so a person can see the data.
-- Usage: sfewlua tools/contact_sheet.lua DIR OUT.png [PER_CLASS=10] [--gray]
local data = require "sfew.data"
local tensor = require "sfew.tensor"

local dir, out = arg[1], arg[2]
if not dir or not out then
  io.stderr:write("usage: sfewlua tools/contact_sheet.lua DIR OUT.png [PER_CLASS] [--gray]\n")
  os.exit(2)
end
local per_class = math.tointeger(tonumber(arg[3] or "10")) or 10
local gray = arg[4] == "--gray" or arg[3] == "--gray"
local W, H, pad, label_w, scale = 90, 72, 3, 110, 2

local ds = assert(data.image_folder(dir, { width = W, height = H, gray = gray, skip_bad = true }))
local classes = ds.classes
local sheet = tensor.zeros { gray and 1 or 3, #classes * (H + pad) + pad,
                             label_w + per_class * (W + pad) + pad }
sheet:fill(0.15)
local shown = {}
local labels = ds.y:flat()
for i = 1, #ds do
  local k = labels[i]
  shown[k] = (shown[k] or 0) + 1
  if shown[k] <= per_class then
    data.paste(sheet, ds.x:select(i), pad + (k - 1) * (H + pad) + 1,
               label_w + pad + (shown[k] - 1) * (W + pad) + 1)
  end
end
for k, name in ipairs(classes) do
  local top = pad + (k - 1) * (H + pad) + 1
  data.draw_text(sheet, name, top + H // 2 - 7, 8, scale, { 1, 1, 0.6 })
  data.draw_text(sheet, ("%d images"):format(ds.counts[k] or 0), top + H // 2 + 12, 8, 1,
                 { 0.8, 0.8, 0.8 })
end
assert(data.write_png(sheet, out))
print(("%s: %d classes x up to %d of %d images from %s"):format(out, #classes, per_class, #ds, dir))
