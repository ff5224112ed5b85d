-- sfew.fused: whole training steps in one C call for networks so small that the Lua and
-- per-layer calls of the general path cost more than the arithmetic (the PIC autoencoder:
-- N -> 10 -> N, a few hundred rows, full batch). train.step tries M.step first; the
-- general path is the reference the specs compare with.
local core = require "sfew.core.fused"
local tensor = require "sfew.tensor"

local M = {}

-- false sends every step down the general path.
M.enabled = true

local work = setmetatable({}, {__mode = "k"}) -- net -> scratch tensor of its steps

local function is(m, name)
  local mt = getmetatable(m)
  return type(mt) == "table" and rawget(mt, "__name") == name
end

-- The two Linear layers when net is Sequential{Linear, Sigmoid, Linear}, both with a
-- bias, trained on MSELoss against 2-D tensors; nil otherwise.
function M.match(net, criterion, x, y)
  local mods = type(net) == "table" and rawget(net, "_modules")
  if not mods or #mods ~= 3 or not is(criterion, "sfew.MSELoss") then return nil end
  local a, s, b = mods[1], mods[2], mods[3]
  if not (is(a, "sfew.Linear") and is(s, "sfew.Sigmoid") and is(b, "sfew.Linear")) then
    return nil
  end
  if #a:parameters() ~= 2 or #b:parameters() ~= 2 then return nil end
  if not (tensor.is_tensor(x) and tensor.is_tensor(y)) or x:dim() ~= 2 or y:dim() ~= 2 then
    return nil
  end
  return a, b
end

-- One step of train.step's contract (zero_grad, forward, loss, backward, opt:step) in one
-- C call plus the optimiser's; returns the mean loss, or nil when net does not match.
function M.step(net, criterion, opt, x, y)
  if not M.enabled then return nil end
  local a, b = M.match(net, criterion, x, y)
  if not a then return nil end
  local w = work[net]
  if not w then
    w = tensor.zeros{0}
    work[net] = w
  end
  net:train()
  local loss = core.mlp_step(a, b, x, y, w)
  opt:step()
  return loss
end

return M
