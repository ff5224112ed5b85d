-- T.cat over a list whose __index frees a tensor and collects while C walks the list.
local T = require("sfew").tensor
local a = T.ones { 1, 2 }
local list = setmetatable({}, {
  __index = function(_, i)
    a:free()
    collectgarbage()
    return i <= 3 and T.ones { 1, 2 } or nil
  end,
  __len = function() return 3 end,
})
pcall(T.cat, list)
pcall(T.cat, setmetatable({ a }, { __index = function() collectgarbage() end }))
