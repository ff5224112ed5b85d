-- lpq and phog with option tables whose metamethods free the image being read.
local sfew = require "sfew"
local core = require "sfew.core.features"
for _, f in ipairs { core.lpq, core.phog, core.lpq_codes } do
  local x = sfew.tensor.rand({ 16, 16 }, sfew.rng(1))
  pcall(f, x, setmetatable({}, { __index = function() x:free() collectgarbage() return nil end }))
  local y = sfew.tensor.rand({ 16, 16 }, sfew.rng(1))
  pcall(f, y, { grid = setmetatable({}, { __index = function() y:free() return 2 end }) })
end
