-- draw_text with a colour table whose __index frees the image; odd glyphs; far positions.
local sfew = require "sfew"
local img = sfew.tensor.zeros { 3, 8, 8 }
pcall(sfew.data.draw_text, img, "a", 1, 1, 1, setmetatable({}, {
  __index = function() img:free() collectgarbage() return 1 end }))
local img2 = sfew.tensor.zeros { 3, 8, 8 }
for _, s in ipairs { "café", "\t", "\127", "\255\1" } do
  pcall(sfew.data.draw_text, img2, s, 1, 1)
end
pcall(sfew.data.draw_text, img2, "hi", math.mininteger, math.maxinteger, 64)
pcall(sfew.data.paste, img2, sfew.tensor.ones { 3, 2, 2 }, math.maxinteger, math.mininteger)
