-- sfew.fused: whole training steps in one C call for networks so small that the Lua and
-- per-layer calls of the general path cost more than the arithmetic (the PIC autoencoder:
-- N -> 10 -> N, a few hundred rows, full batch). train.step tries M.step first; the
-- general path is the reference the specs compare with.
local core = require "sfew.core.fused"
local tensor = require "sfew.tensor"

local M = {}

-- false sends every step down the general path.
M.enabled = true

-- net -> {modules 1-3 as last seen, whether they matched, the scratch tensor}: the layer
-- checks run again only when the net's modules change (a Linear's bias never comes or
-- goes), so a step costs a few comparisons besides the C call.
local seen = setmetatable({}, {__mode = "k"})

local function is(m, name)
  local mt = getmetatable(m)
  return type(mt) == "table" and rawget(mt, "__name") == name
end

local function layers_match(a, s, b)
  return is(a, "sfew.Linear") and is(s, "sfew.Sigmoid") and is(b, "sfew.Linear")
    and #a:parameters() == 2 and #b:parameters() == 2
end

-- The two Linear layers when net is Sequential{Linear, Sigmoid, Linear}, both with a
-- bias, trained on MSELoss against 2-D tensors; nil otherwise.
function M.match(net, criterion, x, y)
  -- a Sequential keeps its modules at net[1..n]
  if type(net) ~= "table" or rawget(net, "_types") == nil or rawlen(net) ~= 3
    or not is(criterion, "sfew.MSELoss") then
    return nil
  end
  local a, s, b = rawget(net, 1), rawget(net, 2), rawget(net, 3)
  local c = seen[net]
  if not c or c[1] ~= a or c[2] ~= s or c[3] ~= b then
    c = {a, s, b, layers_match(a, s, b), c and c[5]}
    seen[net] = c
  end
  if not c[4] or x:dim() ~= 2 or y:dim() ~= 2 then return nil end
  return a, b, c
end

-- One step of train.step's contract (zero_grad, forward, loss, backward, opt:step) in one
-- C call; returns the mean loss, or nil when net does not match.
-- train.step has checked the arguments.
function M.step(net, criterion, opt, x, y)
  if not M.enabled then return nil end
  local a, b, c = M.match(net, criterion, x, y)
  if not a then return nil end
  if not c[5] then c[5] = tensor.zeros{0} end
  -- Linear and Sigmoid behave alike in both modes; only the flag needs setting
  if not rawget(net, "training") then net:train() end
  return core.mlp_step(a, b, x, y, c[5], opt) -- the optimiser's step included
end

return M
