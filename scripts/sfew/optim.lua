-- sfew.optim: optimisers with PyTorch's update rules. SGD, Adam and AdamW are engine objects
-- (state in C, saved with opt:state_dict()); this module re-exports them, with gradient
-- clipping and the learning-rate schedules of sfew.schedule. An optimiser holds the
-- parameter tensors it was given: after pruning (prune.remove_channels, remove_unit,
-- layer:set_params) replaced some, its zero_grad and step raise naming the replaced one
-- (build a new optimiser from net:parameters()); it never steps dead tensors silently.
local core = require "sfew.core.optim"
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
M.StepLR, M.CosineAnnealingLR = schedule.StepLR, schedule.CosineAnnealingLR
M.ReduceLROnPlateau = schedule.ReduceLROnPlateau

return M
