-- sfew.optim: optimisers with PyTorch's update rules. SGD, Adam and AdamW are engine objects
-- (state in C, saved with opt:state_dict()); this module re-exports them, with gradient
-- clipping and the learning-rate schedules of sfew.schedule.
local core = require "sfew.core.optim"
local groups = require "sfew.param_groups"
local schedule = require "sfew.schedule"

local M = {}

-- optim.SGD(params, {lr (required), momentum = 0, dampening = 0, weight_decay = 0,
--   nesterov = false}); params is a list of tensors, each given a zero p.grad if it has none.
M.SGD = core.SGD

-- optim.Adam(params, {lr = 1e-3, betas = {0.9, 0.999}, eps = 1e-8, weight_decay = 0}).
M.Adam = core.Adam

-- optim.AdamW(params, {lr = 1e-3, betas = {0.9, 0.999}, eps = 1e-8, weight_decay = 0.01}).
M.AdamW = core.AdamW
-- optim.clip_grad_norm(params, max_norm) -> total norm of the gradients before clipping.
M.clip_grad_norm = core.clip_grad_norm
-- Each optimiser also takes a list of parameter groups, as PyTorch:
--   optim.Adam({{params = net[1]:parameters(), lr = 1e-4}, {params = head}}, {lr = 1e-3})
-- (sfew.param_groups: one optimiser per group behind one object).
-- (The engine's errors are raised again at the caller's line, naming the optimiser.)
for _, name in ipairs { "SGD", "Adam", "AdamW" } do
  M[name] = function(params, opts)
    if groups.is_groups(params) then
      local g = groups.new(core[name], name, params, opts)
      return g
    end
    local ok, opt = pcall(core[name], params, opts)
    if not ok then error((tostring(opt):gsub("'sfew%.core%.optim%.", "'", 1)), 2) end
    return opt
  end
end
M.StepLR, M.CosineAnnealingLR = schedule.StepLR, schedule.CosineAnnealingLR
M.ReduceLROnPlateau = schedule.ReduceLROnPlateau

return M
