-- sfew.schedule: learning-rate schedules with PyTorch 1.13's formulas
-- (torch.optim.lr_scheduler), re-exported by sfew.optim. Each moves opt.lr once per epoch
-- on sched:step([metric]).
local argcheck = require "sfew.argcheck"

local M = {}

-- A schedule of class on opt, after checking opt and the options (errors at the caller of
-- the constructor): returns the new object and the options.
local function construct(class, fname, opt, opts, allowed)
  local ok, lr = pcall(function() return opt.lr end)
  if not ok or type(lr) ~= "number" then
    argcheck.expected(1, fname, "optimizer", opt, 2)
  end
  opts = argcheck.options(opts, allowed, 2, fname, 2)
  return setmetatable({ opt = opt, last_epoch = 0, base_lr = lr }, class), opts
end

local function number(v, name, fname, lo, default, integer)
  if v == nil then v = default end
  local ok = type(v) == "number" and v >= lo and (not integer or math.type(v) == "integer")
  argcheck.check(ok, 2, fname, ("option '%s' must be %s >= %s, got %s"):format(
    name, integer and "an integer" or "a number", tostring(lo), tostring(v)), 2)
  return v
end

-- StepLR -------------------------------------------------------------------------------

local StepLR = {}
StepLR.__index = StepLR
StepLR.__name = "sfew.StepLR"

-- optim.StepLR(opt, {step_size (required), gamma = 0.1}): lr *= gamma every step_size epochs.
function M.StepLR(opt, opts)
  local s
  s, opts = construct(StepLR, "StepLR", opt, opts, argcheck.set{"step_size", "gamma"})
  s.step_size = number(opts.step_size, "step_size", "StepLR", 1, nil, true)
  s.gamma = number(opts.gamma, "gamma", "StepLR", 0, 0.1)
  return s
end

function StepLR:step()
  self.last_epoch = self.last_epoch + 1
  if self.last_epoch % self.step_size == 0 then
    self.opt.lr = self.opt.lr * self.gamma
  end
  return self.opt.lr
end

function StepLR:__tostring()
  return ("optim.StepLR(step_size=%d, gamma=%g; epoch %d)"):format(self.step_size, self.gamma,
    self.last_epoch)
end

-- CosineAnnealingLR --------------------------------------------------------------------

local Cosine = {}
Cosine.__index = Cosine
Cosine.__name = "sfew.CosineAnnealingLR"

-- optim.CosineAnnealingLR(opt, {T_max (required), eta_min = 0, warmup = 0}): for epochs
-- e < warmup, lr = base * (e + 1) / warmup (LinearLR from 1 / warmup); from e = warmup on,
-- PyTorch's cosine annealing from base to eta_min over T_max - warmup epochs (Loshchilov and
-- Hutter 2017, eq. 5, in PyTorch's recursive form), as SequentialLR of the two would.
function M.CosineAnnealingLR(opt, opts)
  local s
  s, opts = construct(Cosine, "CosineAnnealingLR", opt, opts,
    argcheck.set{"T_max", "eta_min", "warmup"})
  s.warmup = number(opts.warmup, "warmup", "CosineAnnealingLR", 0, 0, true)
  s.T_max = number(opts.T_max, "T_max", "CosineAnnealingLR", s.warmup + 1, nil, true)
  s.eta_min = number(opts.eta_min, "eta_min", "CosineAnnealingLR", 0, 0)
  if s.warmup > 0 then opt.lr = s.base_lr / s.warmup end
  return s
end

function Cosine:step()
  local e = self.last_epoch + 1
  self.last_epoch = e
  local w, base, eta = self.warmup, self.base_lr, self.eta_min
  if e < w then
    self.opt.lr = base * (e + 1) / w
    return self.opt.lr
  end
  local t, T = e - w, self.T_max - w
  local lr = self.opt.lr
  if t == 0 then
    lr = base
  elseif (t - 1 - T) % (2 * T) == 0 then
    lr = lr + (base - eta) * (1 - math.cos(math.pi / T)) / 2
  else
    lr = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T)) * (lr - eta)
      + eta
  end
  -- The optimisers refuse lr = 0, which PyTorch reaches at T_max when eta_min is 0: the
  -- smallest normal double stands in for it (a float32 step rounds it to 0 all the same).
  self.opt.lr = math.max(lr, 2.2250738585072014e-308)
  return self.opt.lr
end

function Cosine:__tostring()
  return ("optim.CosineAnnealingLR(T_max=%d, eta_min=%g, warmup=%d; epoch %d)"):format(
    self.T_max, self.eta_min, self.warmup, self.last_epoch)
end

-- ReduceLROnPlateau --------------------------------------------------------------------

local Plateau = {}
Plateau.__index = Plateau
Plateau.__name = "sfew.ReduceLROnPlateau"

local plateau_opts = argcheck.set{"mode", "factor", "patience", "threshold", "threshold_mode",
  "cooldown", "min_lr", "eps"}

-- optim.ReduceLROnPlateau(opt, {mode = "min", factor = 0.1, patience = 10, threshold = 1e-4,
--   threshold_mode = "rel", cooldown = 0, min_lr = 0, eps = 1e-8}): lr *= factor once the
-- metric given to step has not improved for more than patience epochs.
function M.ReduceLROnPlateau(opt, opts)
  local f = "ReduceLROnPlateau"
  local s
  s, opts = construct(Plateau, f, opt, opts, plateau_opts)
  s.bad_epochs, s.cooldown_counter = 0, 0
  s.mode = opts.mode or "min"
  s.threshold_mode = opts.threshold_mode or "rel"
  argcheck.check(s.mode == "min" or s.mode == "max", 2, f, "option 'mode' must be \"min\" or "
    .. "\"max\", got " .. tostring(s.mode))
  argcheck.check(s.threshold_mode == "rel" or s.threshold_mode == "abs", 2, f,
    "option 'threshold_mode' must be \"rel\" or \"abs\", got " .. tostring(s.threshold_mode))
  s.factor = number(opts.factor, "factor", f, 0, 0.1)
  argcheck.check(s.factor < 1, 2, f, "option 'factor' must be below 1")
  s.patience = number(opts.patience, "patience", f, 0, 10, true)
  s.threshold = number(opts.threshold, "threshold", f, 0, 1e-4)
  s.cooldown = number(opts.cooldown, "cooldown", f, 0, 0, true)
  s.min_lr = number(opts.min_lr, "min_lr", f, 0, 0)
  s.eps = number(opts.eps, "eps", f, 0, 1e-8)
  s.best = s.mode == "min" and math.huge or -math.huge
  return s
end

function Plateau:is_better(a)
  local best, th = self.best, self.threshold
  if self.mode == "min" then
    return self.threshold_mode == "rel" and a < best * (1 - th) or
      self.threshold_mode == "abs" and a < best - th
  end
  return self.threshold_mode == "rel" and a > best * (th + 1) or
    self.threshold_mode == "abs" and a > best + th
end

function Plateau:step(metric)
  argcheck.check(type(metric) == "number", 1, "step",
    "number expected (the metric), got " .. argcheck.typename(metric))
  self.last_epoch = self.last_epoch + 1
  if self:is_better(metric) then
    self.best, self.bad_epochs = metric, 0
  else
    self.bad_epochs = self.bad_epochs + 1
  end
  if self.cooldown_counter > 0 then
    self.cooldown_counter = self.cooldown_counter - 1
    self.bad_epochs = 0
  end
  if self.bad_epochs > self.patience then
    local old = self.opt.lr
    local new = math.max(old * self.factor, self.min_lr)
    if old - new > self.eps then self.opt.lr = new end
    self.cooldown_counter, self.bad_epochs = self.cooldown, 0
  end
  return self.opt.lr
end

function Plateau:__tostring()
  return ("optim.ReduceLROnPlateau(mode=%s, factor=%g, patience=%d; best %g, epoch %d)"):format(
    self.mode, self.factor, self.patience, self.best, self.last_epoch)
end


-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "sfew.schedule", "Learning-rate schedules, re-exported by sfew.optim.")
doc.register(StepLR, "StepLR", "A schedule from optim.StepLR: s:step() once an epoch.")
doc.register(Cosine, "CosineAnnealingLR",
  "A schedule from optim.CosineAnnealingLR: s:step() once an epoch.")
doc.register(Plateau, "ReduceLROnPlateau",
  "A schedule from optim.ReduceLROnPlateau: s:step(metric) once an epoch.")
doc.table(StepLR, { step = { "s:step()", "Ends an epoch; returns the new opt.lr." } })
doc.table(Cosine, { step = { "s:step()", "Ends an epoch; returns the new opt.lr." } })
doc.table(Plateau, {
  step = { "s:step(metric)", "Ends an epoch with its metric (e.g. validation loss); "
    .. "returns the new opt.lr." },
  is_better = { "s:is_better(metric)", "True when metric beats the best so far by the threshold." },
})

return M
