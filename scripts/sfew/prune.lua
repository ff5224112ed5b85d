-- sfew.prune: distinctiveness (PIC) pruning of hidden units and importance pruning of
-- convolution kernels. The numbers are computed in C (sfew.core.prune); this file holds
-- the policy: which layers, which units, in which order.
local argcheck = require "sfew.argcheck"
local core = require "sfew.core.prune"
local is_tensor = require("sfew.tensor").is_tensor
local install_channels = require "sfew.prune_channels"

local M = {}

-- The option names each function takes (argcheck.options refuses any other).
local REMOVE_UNIT_OPTIONS = argcheck.set { "mode", "into", "value" }
local ANGLE_OPTIONS = argcheck.set { "layer", "center", "tol" }
local DISTINCT_OPTIONS = argcheck.set { "layer", "center", "tol", "similar", "complementary",
  "rule", "min_units" }

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

-- The centre the angles are taken about when the caller gives none: 0.5 for sigmoid units
-- (Gedeon and Harris), 0 for any other activation.
local activation_center = { Sigmoid = 0.5 }
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

-- A layer index given as argument #arg (or as option 'layer' when arg is nil): an integer
-- in 1..#net, checked before any loop runs from it.
local function check_index(net, i, fname, arg, level)
  if type(net) ~= "table" or type(net.forward) ~= "function" then
    error(("bad argument #1 to '%s' (Sequential expected, got %s)"):format(fname, kind(net)),
      level + 1)
  end
  if math.type(i) == "integer" and i >= 1 and i <= #net then return i end
  local what = arg and ("bad argument #%d to '%s' (layer"):format(arg, fname)
    or ("%s: option 'layer'"):format(fname)
  error(("%s %s out of range 1..%d%s"):format(what, tostring(i), #net, arg and ")" or ""),
    level + 1)
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
-- Hidden units are those of a Linear; a Conv2d's channels have prune.channel_angles.
-- level: error's level for the user's call (counted from here).
local function check_linear(net, layer, fname, level)
  local k = kind(net[layer])
  if k ~= "Linear" then
    error(("%s: layer %d is %s, not Linear (hidden units are a Linear's outputs%s)")
      :format(fname, layer, k, k == "Conv2d" and "; for a Conv2d's channels use "
        .. "prune.channel_angles" or ""), level + 1)
  end
end

function M.hidden_activations(net, x, layer)
  check_index(net, layer, "hidden_activations", 3, 2)
  check_linear(net, layer, "hidden_activations", 2)
  local stop, act = activation_after(net, layer)
  local h = x
  for k = 1, stop or layer do h = net[k]:forward(h) end
  return h, act
end

-- Removes hidden unit `unit` of the Linear at net[layer] and its column in the next
-- Linear, physically. opts.mode: "similar" (add its outgoing weights to unit opts.into),
-- "complementary" (sigmoid units: a_unit = 1 - a_into, folded exactly), "constant"
-- (a dead unit whose output is opts.value: folded into the output bias), or "drop"
-- (nothing folded). Optimisers built before must be rebuilt: the shapes change (their
-- next step raises naming the replaced parameter).
function M.remove_unit(net, layer, unit, opts)
  opts = argcheck.options(opts, REMOVE_UNIT_OPTIONS, 4, "remove_unit")
  check_index(net, layer, "remove_unit", 2, 2)
  local enc = check_layer(net, layer, "Linear", "remove_unit")
  local dec, k = next_layer(net, layer, { "Linear" })
  if not dec then error("remove_unit: no Linear layer follows layer " .. layer, 2) end
  -- Everything is checked and computed on new tensors first, so a failure leaves the
  -- network as it was.
  for i, m in pairs { [layer] = enc, [k] = dec } do
    if not m.bias then
      error(("remove_unit: layer %d (Linear) has no bias to fold the removed unit into")
        :format(i), 2)
    end
  end
  local H = enc.weight:size(1)
  if math.type(unit) ~= "integer" or unit < 1 or unit > H then
    error(("bad argument #3 to 'remove_unit' (unit %s out of range 1..%d)")
      :format(tostring(unit), H), 2)
  end
  local mode = opts.mode or "similar"
  local w, b, values = dec.weight, dec.bias, nil
  if mode == "similar" or mode == "complementary" then
    local into = opts.into
    if math.type(into) ~= "integer" or into < 1 or into > H or into == unit then
      error("remove_unit: opts.into must name another unit in 1.." .. H, 2)
    end
    w, b = w:clone(), b:clone()
    core.merge_unit(w, b, into, unit, mode == "complementary")
  elseif mode == "constant" then
    values = {}
    values[unit] = opts.value or 0
  elseif mode ~= "drop" then
    error("remove_unit: unknown mode '" .. tostring(mode) .. "'", 2)
  end
  local w2, b2 = core.remove_inputs(w, b, H, { unit }, values)
  local ew, eb = core.drop_rows(enc.weight, { unit }), core.drop_rows(enc.bias, { unit })
  enc:set_params(ew, eb)
  dec:set_params(w2, b2)
  if net.clear then net:clear() end -- buffers and shapes of the old sizes
  return net
end

-- The most alike pair among live units: the pair whose angle is nearest 0 (similar) or
-- 180 degrees (complementary). Returns i, j, angle, "similar" or "complementary".
-- The units listed in dead as a set, after checking angles is a U x U tensor and dead a
-- list (ipairs over anything else could walk billions of rows).
local function dead_set(angles, dead, fname)
  if not is_tensor(angles) or angles:dim() ~= 2 or angles:size(1) ~= angles:size(2) then
    error(("bad argument #1 to '%s' (U x U angle tensor expected)"):format(fname), 3)
  end
  if dead ~= nil and type(dead) ~= "table" then
    error(("bad argument #2 to '%s' (list of unit numbers expected, got %s)")
      :format(fname, kind(dead)), 3)
  end
  local skip = {}
  for _, d in ipairs(dead or {}) do skip[d] = true end
  return skip
end

function M.most_alike(angles, dead)
  local skip = dead_set(angles, dead, "most_alike")
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
  local skip = dead_set(angles, dead, "min_angle")
  local best
  for i = 1, angles:size(1) - 1 do
    for j = i + 1, angles:size(1) do
      local a = angles:get(i, j)
      if not skip[i] and not skip[j] and (not best or a < best) then best = a end
    end
  end
  return best
end

local function analyse(net, x, layer, opts, fname)
  check_index(net, layer, fname, nil, 3)
  check_linear(net, layer, fname, 3)
  local acts, act = M.hidden_activations(net, x, layer)
  local center = opts.center or activation_center[act] or 0
  local angles, dead = core.unit_angles(acts, { center = center, tol = opts.tol })
  return acts, angles, dead, act
end

-- Angles between the hidden units after the Linear at net[opts.layer or 1] over inputs x:
-- angles (U x U), dead units, activations (P x U), activation type. opts.center: the
-- value the outputs are centred at before the angles are taken (default 0.5 for sigmoid
-- units, 0 otherwise; the paper took the raw outputs: 0). pic_step and distinctiveness
-- take the same opts.center.
function M.hidden_angles(net, x, opts)
  opts = argcheck.options(opts, ANGLE_OPTIONS, 3, "hidden_angles")
  local acts, angles, dead, act = analyse(net, x, opts.layer or 1, opts, "hidden_angles")
  return angles, dead, acts, act
end

-- One step of progressive pruning: a dead unit if there is one, else the most alike
-- pair. Returns a record {action, unit, into, angle, min_angle, units}.
function M.pic_step(net, x, opts)
  opts = argcheck.options(opts, ANGLE_OPTIONS, 3, "pic_step")
  local layer = opts.layer or 1
  local acts, angles, dead, act = analyse(net, x, layer, opts, "pic_step")
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
  opts = argcheck.options(opts, DISTINCT_OPTIONS, 3, "distinctiveness")
  local layer = opts.layer or 1
  local sim, comp = opts.similar or 15, opts.complementary or 165
  local log = {}
  while true do
    local acts, angles, dead, act = analyse(net, x, layer, opts, "distinctiveness")
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

install_channels(M, { kind = kind, check_layer = check_layer, check_index = check_index,
  next_layer = next_layer, activation_fn = activation_fn, activation_center = activation_center })

-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "sfew.prune", "Distinctiveness (PIC) pruning of hidden units and importance "
  .. "pruning of convolution kernels.")
doc.table(M, {
  unit_angles = { "prune.unit_angles(acts [, {center = 0, tol = 1e-6}])",
    "Angles in degrees (units x units) between the columns of acts (patterns x units), taken "
    .. "about center, and the list of dead (constant) units. "
    .. "", "angles, dead = prune.unit_angles(h, {center = 0.5})" },
  kind = { "prune.kind(m)", "The type name of a module: \"Linear\", \"Conv2d\", \"Sigmoid\", ..." },
  hidden_activations = { "prune.hidden_activations(net, x, layer)",
    "Outputs (patterns x units) of the activation after the Linear at net[layer] for input "
    .. "x, and that activation's type." },
  remove_unit = { "prune.remove_unit(net, layer, unit [, {mode = \"similar\" | "
    .. "\"complementary\" | \"constant\" | \"drop\", into, value}])",
    "Removes hidden unit unit of the Linear at net[layer] and its column in the next Linear, "
    .. "folding it into unit into (or the bias) as mode says." },
  most_alike = { "prune.most_alike(angles [, dead])",
    "The live pair i, j whose angle is nearest 0 or 180, the angle, and \"similar\" or "
    .. "\"complementary\"; nil when none." },
  min_angle = { "prune.min_angle(angles [, dead])",
    "The smallest angle between two live units (the paper's min angle)." },
  hidden_angles = { "prune.hidden_angles(net, x [, {layer = 1, center, tol}])",
    "angles, dead units, activations and activation type of the hidden units after the "
    .. "Linear at net[layer]; center defaults to 0.5 for sigmoid units, else 0." },
  pic_step = { "prune.pic_step(net, x [, {layer = 1, center, tol}])",
    "Removes one unit: a dead one, else one of the most alike pair; returns {action, unit, "
    .. "into, angle, min_angle, units}." },
  distinctiveness = { "prune.distinctiveness(net, x [, {layer = 1, similar = 15, "
    .. "complementary = 165, rule = \"paper\" | \"gedeon\", min_units = 1, center}])",
    "Removes dead units and pairs under similar or over complementary degrees until none is "
    .. "left; returns the actions taken." },
  batchnorm_value = { "prune.batchnorm_value(bn, k, v)",
    "What a BatchNorm2d in evaluation makes of the constant v on channel k." },
})

return M
