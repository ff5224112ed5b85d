-- sfew.optim: optimisers with PyTorch's update rules. SGD and Adam are engine objects
-- (state in C, saved with opt:state_dict()); this module re-exports them.
local core = require "sfew.core.optim"

local M = {}

-- optim.SGD(params, {lr (required), momentum = 0, dampening = 0, weight_decay = 0,
--   nesterov = false}); params is a list of tensors, each given a zero p.grad if it has none.
M.SGD = core.SGD

-- optim.Adam(params, {lr = 1e-3, betas = {0.9, 0.999}, eps = 1e-8, weight_decay = 0}).
M.Adam = core.Adam

return M
