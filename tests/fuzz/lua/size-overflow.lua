-- Size, index and offset products that overflow int64.
local sfew = require "sfew"
local T = sfew.tensor
pcall(function() return T.zeros { 2 }:reshape { 3, 0x5555555555555556 }:get(1, 1) end)
pcall(function() return T.zeros { 0 }:reshape { 0, 1 << 40, 1 << 40 } end)
pcall(function() return T.zeros { 4, 2 }:narrow(1, 2, math.maxinteger) end)
pcall(function() return T.zeros { 4, 2 }:narrow(1, math.maxinteger, 2) end)
pcall(function() return T.zeros { 1 << 32, 0 }:totable() end)
pcall(function() return T.zeros { 3 }:index { math.mininteger } end)
pcall(function() return T.zeros { 3 }:index(T.new({ 2 }, { 0 / 0, 1e30 })) end)
local core = require "sfew.core.prune"
pcall(core.merge_unit, T.ones { 2, 3 }, T.ones { 2 }, math.mininteger, math.mininteger)
