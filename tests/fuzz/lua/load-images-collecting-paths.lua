-- load_images with paths built by __index (fresh strings, collected at once).
local core = require "sfew.core.data"
pcall(core.load_images, setmetatable({}, {
  __index = function(_, i) collectgarbage() return "missing-" .. i .. ".png" end,
  __len = function() return 4 end,
}), { skip_bad = true })
pcall(core.load_images, { "a.png", 3 })
