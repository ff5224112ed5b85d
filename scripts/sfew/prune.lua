-- sfew.prune: distinctiveness (PIC) pruning of hidden units and importance pruning of
-- convolution kernels. The numbers are computed in C (sfew.core.prune); this file holds
-- the policy: which layers, which units, in which order.
local core = require "sfew.core.prune"

local M = {}

M.unit_angles = core.unit_angles

-- The type name of a module: "Linear", "Conv2d", "Sigmoid", ...
local function kind(m)
  local mt = getmetatable(m)
  local name = type(mt) == "table" and rawget(mt, "__name")
  if type(name) == "string" and name:match("^sfew%.") then return name:sub(6) end
  if type(m) == "table" and m.spec then return m:spec().type end
  return type(m)
end
M.kind = kind

local activation_center = { Sigmoid = 0.5, Tanh = 0.0, ReLU = 0.0 }
local activation_fn = {
  ReLU = function(v) return v > 0 and v or 0 end,
  Sigmoid = function(v) return 1 / (1 + math.exp(-v)) end,
  Tanh = function(v) local e = math.exp(-2 * math.abs(v)); local t = (1 - e) / (1 + e)
    return v < 0 and -t or t end,
}

local function check_layer(net, i, want, fname)
  local m = net[i]
  if m == nil then
    error(("%s: the network has no layer %s"):format(fname, tostring(i)), 3)
  end
  if kind(m) ~= want then
    error(("%s: layer %d is %s, not %s"):format(fname, i, kind(m), want), 3)
  end
  return m
end

-- Layers that map a constant map to a constant map (in evaluation), so a removed channel's
-- constant output can be carried through them: pooling, Flatten, dropout and BatchNorm.
local passes_constant = { MaxPool2d = true, Flatten = true, Dropout = true, Dropout2d = true,
  BatchNorm2d = true }

-- The next layer of type `want` after index i, skipping activations, pooling and
-- Flatten; also returns the activation met on the way (or nil).
local function next_layer(net, i, want)
  local act
  for k = i + 1, #net do
    local t = kind(net[k])
    if activation_fn[t] then
      act = act or t
    elseif not passes_constant[t] then
      for _, w in ipairs(want) do if t == w then return net[k], k, act end end
      return nil
    end
  end
end

-- importance of each output kernel of a Conv2d (or any weight tensor): the paper's
-- I = sqrt(1/k^2 * sum a^2), averaged over input channels too.
function M.kernel_importance(conv)
  local w = conv
  if not require("sfew.tensor").is_tensor(conv) then
    if type(conv) ~= "userdata" and type(conv) ~= "table" or not conv.weight then
      error("bad argument #1 to 'kernel_importance' (Conv2d or weight tensor expected, got "
        .. type(conv) .. ")", 2)
    end
    w = conv.weight
  end
  return core.kernel_importance(w)
end

-- Zeroes kernels of conv (1-based list) and keeps them zero through later training;
-- adds to any kernels masked already. Returns the full list of masked kernels.
function M.mask_kernels(conv, list)
  if type(list) ~= "table" then
    error("bad argument #2 to 'mask_kernels' (list of kernel numbers expected)", 2)
  end
  local set, all = {}, {}
  for _, k in ipairs(conv:mask() or {}) do set[k] = true end
  for _, k in ipairs(list) do set[k] = true end
  for k in pairs(set) do all[#all + 1] = k end
  table.sort(all)
  conv:set_mask(all)
  -- zero them now too (the layer would at its next forward), so importances show it
  for _, k in ipairs(all) do conv.weight[k]:zero() end
  return all
end

-- The activation that follows the Linear at net[layer], before any further Linear or
-- Conv2d: its index and type, or nil.
local function activation_after(net, layer)
  for k = layer + 1, #net do
    local t = kind(net[k])
    if activation_fn[t] then return k, t end
    if t == "Linear" or t == "Conv2d" then return nil end
  end
end

-- Outputs of the activation that follows the Linear at net[layer] (of the Linear itself
-- when none does), for input x: patterns x units; and the activation's type.
function M.hidden_activations(net, x, layer)
  local stop, act = activation_after(net, layer)
  local h = x
  for k = 1, stop or layer do h = net[k]:forward(h) end
  return h, act
end

-- Removes hidden unit `unit` of the Linear at net[layer] and its column in the next
-- Linear, physically. opts.mode: "similar" (add its outgoing weights to unit opts.into),
-- "complementary" (sigmoid units: a_unit = 1 - a_into, folded exactly), "constant"
-- (a dead unit whose output is opts.value: folded into the output bias), or "drop"
-- (nothing folded). Optimisers built before must be rebuilt: the shapes change.
function M.remove_unit(net, layer, unit, opts)
  opts = opts or {}
  local enc = check_layer(net, layer, "Linear", "remove_unit")
  local dec = next_layer(net, layer, { "Linear" })
  if not dec then error("remove_unit: no Linear layer follows layer " .. layer, 2) end
  local H = enc.weight:size(1)
  if math.type(unit) ~= "integer" or unit < 1 or unit > H then
    error(("bad argument #3 to 'remove_unit' (unit %s out of range 1..%d)")
      :format(tostring(unit), H), 2)
  end
  local mode = opts.mode or "similar"
  local values
  if mode == "similar" or mode == "complementary" then
    local into = opts.into
    if math.type(into) ~= "integer" or into < 1 or into > H or into == unit then
      error("remove_unit: opts.into must name another unit in 1.." .. H, 2)
    end
    core.merge_unit(dec.weight, dec.bias, into, unit, mode == "complementary")
  elseif mode == "constant" then
    values = {}
    values[unit] = opts.value or 0
  elseif mode ~= "drop" then
    error("remove_unit: unknown mode '" .. tostring(mode) .. "'", 2)
  end
  local w2, b2 = core.remove_inputs(dec.weight, dec.bias, H, { unit }, values)
  enc:set_params(core.drop_rows(enc.weight, { unit }), core.drop_rows(enc.bias, { unit }))
  dec:set_params(w2, b2)
  if net.clear then net:clear() end -- buffers and shapes of the old sizes
  return net
end

-- The most alike pair among live units: the pair whose angle is nearest 0 (similar) or
-- 180 degrees (complementary). Returns i, j, angle, "similar" or "complementary".
function M.most_alike(angles, dead)
  local skip = {}
  for _, d in ipairs(dead or {}) do skip[d] = true end
  local U = angles:size(1)
  local bi, bj, bang, bdist
  for i = 1, U - 1 do
    for j = i + 1, U do
      if not skip[i] and not skip[j] then
        local a = angles:get(i, j)
        local dist = math.min(a, 180 - a)
        if not bdist or dist < bdist then bi, bj, bang, bdist = i, j, a, dist end
      end
    end
  end
  if not bi then return nil end
  return bi, bj, bang, bang <= 90 and "similar" or "complementary"
end

-- The smallest angle between any two live units (the paper's "min angle").
function M.min_angle(angles, dead)
  local skip = {}
  for _, d in ipairs(dead or {}) do skip[d] = true end
  local best
  for i = 1, angles:size(1) - 1 do
    for j = i + 1, angles:size(1) do
      local a = angles:get(i, j)
      if not skip[i] and not skip[j] and (not best or a < best) then best = a end
    end
  end
  return best
end

local function analyse(net, x, layer, opts)
  local acts, act = M.hidden_activations(net, x, layer)
  local center = opts.center or activation_center[act] or 0.5
  local angles, dead = core.unit_angles(acts, { center = center, tol = opts.tol })
  return acts, angles, dead, act
end

-- Angles between the hidden units after the Linear at net[opts.layer or 1] over inputs x:
-- angles (U x U), dead units, activations (P x U), activation type.
function M.hidden_angles(net, x, opts)
  opts = opts or {}
  local acts, angles, dead, act = analyse(net, x, opts.layer or 1, opts)
  return angles, dead, acts, act
end

-- One step of progressive pruning: a dead unit if there is one, else the most alike
-- pair. Returns a record {action, unit, into, angle, min_angle, units}.
function M.pic_step(net, x, opts)
  opts = opts or {}
  local layer = opts.layer or 1
  local acts, angles, dead, act = analyse(net, x, layer, opts)
  local rec = { min_angle = M.min_angle(angles, dead), units = angles:size(1) }
  if rec.units <= 1 then return nil end
  if #dead > 0 then
    local u = dead[1]
    rec.action, rec.unit = "constant", u
    M.remove_unit(net, layer, u, { mode = "constant", value = acts:get(1, u) })
  else
    local i, j, a, how = M.most_alike(angles, dead)
    if how == "complementary" and act ~= "Sigmoid" then how = "similar" end
    rec.action, rec.unit, rec.into, rec.angle = how, j, i, a
    M.remove_unit(net, layer, j, { mode = how, into = i })
  end
  rec.units = rec.units - 1
  return rec
end

-- Threshold-driven pruning (Gedeon and Harris): repeatedly remove dead units, pairs under
-- opts.similar degrees (15) and pairs over opts.complementary (165), until none is left.
-- opts.rule = "gedeon" removes both units of a complementary pair (their mean
-- contribution folded into the bias) instead of folding one into the other.
-- Returns the list of actions taken.
function M.distinctiveness(net, x, opts)
  opts = opts or {}
  local layer = opts.layer or 1
  local sim, comp = opts.similar or 15, opts.complementary or 165
  local log = {}
  while true do
    local acts, angles, dead, act = analyse(net, x, layer, opts)
    local U = angles:size(1)
    if U <= (opts.min_units or 1) then break end
    if #dead > 0 then
      local u = dead[1]
      M.remove_unit(net, layer, u, { mode = "constant", value = acts:get(1, u) })
      log[#log + 1] = { action = "constant", unit = u }
    else
      local i, j, a, how = M.most_alike(angles, dead)
      if not i or (a >= sim and a <= comp) then break end
      if how == "complementary" and opts.rule == "gedeon" and U > 2 then
        local means = acts:mean(1)
        M.remove_unit(net, layer, j, { mode = "constant", value = means:get(1, j) })
        M.remove_unit(net, layer, i, { mode = "constant", value = means:get(1, i) })
        log[#log + 1] = { action = "both", unit = j, into = i, angle = a }
      else
        if how == "complementary" and act ~= "Sigmoid" then how = "drop" end
        M.remove_unit(net, layer, j, { mode = how, into = i })
        log[#log + 1] = { action = how, unit = j, into = i, angle = a }
      end
    end
  end
  return log
end

-- What a BatchNorm2d in evaluation makes of the constant v on channel k.
function M.batchnorm_value(bn, k, v)
  local buf, spec = bn:named_buffers(), bn:spec()
  local w = bn.weight and bn.weight:get(k) or 1
  local b = bn.bias and bn.bias:get(k) or 0
  return (v - buf[1].tensor:get(k)) / math.sqrt(buf[2].tensor:get(k) + spec.eps) * w + b
end

-- Physically removes output channels `list` of the Conv2d at net[conv_index] and the
-- matching inputs of the next Conv2d (or the matching columns of the next Linear after a
-- Flatten). The removed kernels are taken to be zero (masked): each still emits the
-- constant map act(bias), which is folded into the next layer's bias, so the network
-- computes what the masked one did (exact when the next convolution has no padding). A
-- BatchNorm2d in between loses the same channels, and the constant is taken through it
-- as in evaluation.
function M.remove_channels(net, conv_index, list)
  local conv = check_layer(net, conv_index, "Conv2d", "remove_channels")
  if type(list) ~= "table" then
    error("bad argument #3 to 'remove_channels' (list of channel numbers expected)", 2)
  end
  local nxt, nxt_index, act = next_layer(net, conv_index, { "Conv2d", "Linear" })
  if not nxt then error("remove_channels: no Conv2d or Linear follows layer " .. conv_index, 2) end
  local bn -- a BatchNorm2d in between, whose channels go too (see batchnorm_value)
  for k = conv_index + 1, nxt_index - 1 do
    if kind(net[k]) == "BatchNorm2d" then bn = net[k] end
  end
  local K = conv.weight:size(1)
  local drop, values = {}, {}
  for _, k in ipairs(list) do
    if math.type(k) ~= "integer" or k < 1 or k > K then
      error(("bad argument #3 to 'remove_channels' (channel %s out of range 1..%d)")
        :format(tostring(k), K), 2)
    end
    drop[k] = true
    local b = conv.bias:get(k)
    if bn then b = M.batchnorm_value(bn, k, b) end
    values[k] = act and activation_fn[act](b) or b
  end
  local kept_mask, new_index = {}, 0
  local masked = {}
  for _, k in ipairs(conv:mask() or {}) do masked[k] = true end
  for k = 1, K do
    if not drop[k] then
      new_index = new_index + 1
      if masked[k] then kept_mask[#kept_mask + 1] = new_index end
    end
  end
  local w2, b2 = core.remove_inputs(nxt.weight, nxt.bias, K, list, values)
  conv:set_params(core.drop_rows(conv.weight, list), core.drop_rows(conv.bias, list))
  nxt:set_params(w2, b2)
  if bn then
    local buf = bn:named_buffers()
    local function without(t) return t and core.drop_rows(t, list) end
    bn:set_params(without(bn.weight), without(bn.bias), without(buf[1].tensor),
      without(buf[2].tensor))
  end
  conv:set_mask(#kept_mask > 0 and kept_mask or nil)
  if net.clear then net:clear() end -- buffers and shapes of the old sizes
  return net
end

-- Importance pruning (the paper, sect. 2.3): masks the least important unmasked kernel of
-- the Conv2d at net[conv_index] one at a time. measure() returns a record with at least
-- `loss` for the current network; pruning stops when the loss has moved by more than
-- opts.threshold (0.1) from the unpruned loss, and the last kernel is unmasked again so
-- the network is left in the last state within the threshold. Returns the records (each
-- with pruned = count and min_importance = the least importance among unmasked kernels,
-- the next to go) and the list of kernels left masked. measure() may name the loss
-- train_loss instead.
function M.prune_by_importance(net, conv_index, measure, opts)
  opts = opts or {}
  local conv = check_layer(net, conv_index, "Conv2d", "prune_by_importance")
  local threshold = opts.threshold or 0.1
  local K = conv.weight:size(1)
  local max_pruned = opts.max_pruned or K - 1
  local records, masked = {}, {}
  local base
  while true do
    local imp = M.kernel_importance(conv)
    local is_masked = {}
    for _, k in ipairs(masked) do is_masked[k] = true end
    local best, best_imp
    for k = 1, K do
      if not is_masked[k] and (not best_imp or imp:get(k) < best_imp) then
        best, best_imp = k, imp:get(k)
      end
    end
    local rec = measure()
    rec.pruned, rec.min_importance = #masked, best_imp
    records[#records + 1] = rec
    local loss = rec.loss or rec.train_loss
    base = base or loss
    if math.abs(loss - base) > threshold then
      -- one kernel too many: restore it (masking zeroed its weights in place)
      local last = table.remove(masked)
      conv:set_mask(#masked > 0 and masked or nil)
      conv.weight[last]:copy(records.saved)
      rec.overshoot = true
      break
    end
    if not best or #masked >= max_pruned then break end
    records.saved = conv.weight[best]:clone()
    masked[#masked + 1] = best
    M.mask_kernels(conv, { best })
  end
  records.saved = nil
  table.sort(masked)
  return records, masked
end

return M
