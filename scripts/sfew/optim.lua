-- sfew.optim: optimisers with PyTorch's update rules. SGD, Adam and AdamW are engine objects
-- (state in C, saved with opt:state_dict()); this module re-exports them, with gradient
-- clipping and the learning-rate schedules of sfew.schedule. An optimiser holds the
-- parameter tensors it was given: after pruning (prune.remove_channels, remove_unit,
-- layer:set_params) replaced some, its zero_grad and step raise naming the replaced one
-- (build a new optimiser from net:parameters()); it never steps dead tensors silently.
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


-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "sfew.optim", "Optimisers (SGD, Adam, AdamW), gradient clipping, lr schedules.")
doc.table(M, {
  SGD = { "optim.SGD(params, {lr, momentum = 0, dampening = 0, weight_decay = 0, "
    .. "nesterov = false})",
    "Stochastic gradient descent with PyTorch's update rule; lr is required. "
    .. "", "optim.SGD(net:parameters(), {lr = 0.1, momentum = 0.9})" },
  Adam = { "optim.Adam(params, {lr = 1e-3, betas = {0.9, 0.999}, eps = 1e-8, "
    .. "weight_decay = 0})",
    "Adam with PyTorch's update rule. ", "opt = optim.Adam(net:parameters(), {lr = 1e-3})" },
  AdamW = { "optim.AdamW(params, {lr = 1e-3, betas = {0.9, 0.999}, eps = 1e-8, "
    .. "weight_decay = 0.01})", "Adam with decoupled weight decay (PyTorch's AdamW)." },
  clip_grad_norm = { "optim.clip_grad_norm(params, max_norm)",
    "Scales the gradients so their total 2-norm is at most max_norm; returns the norm before." },
  StepLR = { "optim.StepLR(opt, {step_size, gamma = 0.1})",
    "Schedule: lr *= gamma every step_size epochs (call s:step() once an epoch)." },
  CosineAnnealingLR = { "optim.CosineAnnealingLR(opt, {T_max, eta_min = 0, warmup = 0})",
    "Schedule: linear warmup over warmup epochs, then cosine annealing to eta_min at T_max." },
  ReduceLROnPlateau = { "optim.ReduceLROnPlateau(opt, {mode = \"min\", factor = 0.1, "
    .. "patience = 10, threshold = 1e-4, threshold_mode = \"rel\", cooldown = 0, min_lr = 0, "
    .. "eps = 1e-8})", "Schedule: lr *= factor once s:step(metric) has not improved for "
    .. "more than patience epochs." },
})
local opt_methods = {
  step = { "opt:step()", "Updates every parameter from its gradient p.grad." },
  zero_grad = { "opt:zero_grad()", "Sets the gradients of the parameters to zero." },
  state_dict = { "opt:state_dict()",
    "The optimiser state: {tensors = {...}, meta = {...}} (copies), for checkpoints." },
  load_state_dict = { "opt:load_state_dict(sd)",
    "Restores a state from opt:state_dict(); checked whole before anything changes." },
}
for _, name in ipairs { "SGD", "Adam", "AdamW" } do
  doc.register("sfew." .. name, name, "An optim." .. name .. " optimiser: opt.lr (and its "
    .. "other options) can be read and set; opt.params lists the parameters.")
  local methods = doc.methods("sfew." .. name)
  if methods then doc.table(methods, opt_methods) end
end

return M
