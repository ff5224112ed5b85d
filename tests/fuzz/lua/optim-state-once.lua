-- load_state_dict with a tensors table that yields each tensor only once.
local sfew = require "sfew"
local p = sfew.tensor.ones { 2 }
p.grad = sfew.tensor.ones { 2 }
local opt = sfew.optim.Adam({ p }, { lr = 0.1 })
opt:step()
local sd = opt:state_dict()
local seen, real = {}, sd.tensors
sd.tensors = setmetatable({}, { __index = function(_, k)
  if seen[k] then return nil end
  seen[k] = true
  return real[k]
end })
pcall(opt.load_state_dict, opt, sd)
opt:step()
