-- sfew.prune's convolution half: kernel importance, masking and importance pruning,
-- physical channel removal, angles between output channels and channel merging. Installed
-- into sfew.prune by prune.lua, which hands over the layer helpers it shares.
local argcheck = require "sfew.argcheck"
local core = require "sfew.core.prune"
local doc = require "sfew.doc"
local is_tensor = require("sfew.tensor").is_tensor

local IMPORTANCE_OPTIONS = argcheck.set { "threshold", "max_pruned" }

-- M is sfew.prune; shared holds its helpers: kind, check_layer, next_layer, activation_fn,
-- activation_center.
return function(M, shared)
  local kind, check_layer, next_layer = shared.kind, shared.check_layer, shared.next_layer
  local check_index = shared.check_index
  local activation_fn, activation_center = shared.activation_fn, shared.activation_center

  -- importance of each output kernel of a Conv2d (or any weight tensor): the paper's
  -- I = sqrt(1/k^2 * sum a^2), averaged over input channels too.
  function M.kernel_importance(conv)
    local w = conv
    if not is_tensor(conv) then
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
    if kind(conv) ~= "Conv2d" then
      error(("bad argument #1 to 'mask_kernels' (Conv2d expected, got %s)"):format(kind(conv)), 2)
    end
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
    check_index(net, conv_index, "remove_channels", 2, 2)
    local conv = check_layer(net, conv_index, "Conv2d", "remove_channels")
    if type(list) ~= "table" then
      error("bad argument #3 to 'remove_channels' (list of channel numbers expected)", 2)
    end
    local nxt, nxt_index, act = next_layer(net, conv_index, { "Conv2d", "Linear" })
    if not nxt then
      error("remove_channels: no Conv2d or Linear follows layer " .. conv_index, 2)
    end
    for i, m in pairs { [conv_index] = conv, [nxt_index] = nxt } do
      if not m.bias then
        error(("remove_channels: layer %d (%s) has no bias to fold the removed channels into")
          :format(i, kind(m)), 2)
      end
    end
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
    opts = argcheck.options(opts, IMPORTANCE_OPTIONS, 4, "prune_by_importance")
    check_index(net, conv_index, "prune_by_importance", 2, 2)
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



  -- Outputs of the Conv2d at net[k] for x, after the activation right after it (if the
  -- next module is one): N x K x H x W, and the activation's type or nil.
  local function channel_outputs(net, k, x)
    local after = net[k + 1] and kind(net[k + 1])
    local stop = activation_fn[after] and k + 1 or k
    local h = x
    for i = 1, stop do h = net[i]:forward(h) end
    return h, stop > k and after or nil
  end

  -- Angles (K x K, degrees) between the output channels of the Conv2d at net[k] over the
  -- batch x: each channel's activations, all images and positions, as one vector. Also
  -- returns the dead (constant) channels and the activation type.
  function M.channel_angles(net, k, x, opts)
    if type(net) ~= "table" then argcheck.expected(1, "channel_angles", "Sequential", net) end
    if math.type(k) ~= "integer" then argcheck.expected(2, "channel_angles", "layer index", k) end
    if not is_tensor(x) then
      argcheck.expected(3, "channel_angles", "tensor", x)
    end
    opts = argcheck.options(opts, { center = true, tol = true }, 4, "channel_angles")
    check_layer(net, k, "Conv2d", "channel_angles")
    if x:dim() ~= 4 then
      argcheck.error(3, "channel_angles", "an N x C x H x W batch expected, got "
        .. table.concat(x:shape(), "x"))
    end
    local h, act = channel_outputs(net, k, x)
    local K = h:size(2)
    -- N x K x H x W -> (N*H*W) x K: one row per pattern (image and position)
    local acts = h:permute(1, 3, 4, 2):reshape(-1, K)
    local center = opts.center or activation_center[act] or 0
    local angles, dead = core.unit_angles(acts, { center = center, tol = opts.tol })
    return angles, dead, act
  end

  local remove_channels_masked = M.remove_channels

  -- remove_channels(net, k, list [, {into = j, complementary = false}]): without into, as
  -- before (the removed kernels are taken as masked). With into, each removed channel is
  -- first merged into channel j (its outgoing weights in the next Conv2d or Linear added to
  -- j's, as remove_unit does for similar hidden units; subtracted, with the bias
  -- corrected, when opts.complementary says a_removed = 1 - a_j for sigmoid channels).
  function M.remove_channels(net, k, list, opts)
    if opts == nil then return remove_channels_masked(net, k, list) end
    opts = argcheck.options(opts, { into = true, complementary = true }, 4, "remove_channels")
    local conv = check_layer(net, k, "Conv2d", "remove_channels")
    if type(list) ~= "table" then
      argcheck.expected(3, "remove_channels", "list of channel numbers", list)
    end
    local K = conv.weight:size(1)
    local into = opts.into
    if math.type(into) ~= "integer" or into < 1 or into > K then
      argcheck.error(4, "remove_channels", ("into = %s is not a channel in 1..%d")
        :format(tostring(into), K))
    end
    local nxt = next_layer(net, k, { "Conv2d", "Linear" })
    if not nxt then error("remove_channels: no Conv2d or Linear follows layer " .. k, 2) end
    for _, c in ipairs(list) do
      if math.type(c) ~= "integer" or c < 1 or c > K or c == into then
        argcheck.error(3, "remove_channels", ("channel %s is not in 1..%d or is the one kept (%d)")
          :format(tostring(c), K, into))
      end
    end
    for _, c in ipairs(list) do
      core.merge_channel(nxt.weight, nxt.bias, K, into, c, opts.complementary == true)
    end
    -- the merged channels now carry zero outgoing weight: removing them folds nothing
    return remove_channels_masked(net, k, list)
  end

  doc.table(M, {
    kernel_importance = { "prune.kernel_importance(conv)",
      "One importance per output kernel of a Conv2d (or weight tensor): sqrt(mean of its "
      .. "squared weights). ", "imp = prune.kernel_importance(net[1])" },
    mask_kernels = { "prune.mask_kernels(conv, list)",
      "Zeroes the 1-based kernels in list and keeps them zero in training; returns all masked." },
    prune_by_importance = { "prune.prune_by_importance(net, conv_index, measure [, "
      .. "{threshold = 0.1, max_pruned = K - 1}])",
      "Masks the least important kernel of net[conv_index] one at a time until measure()'s "
      .. "loss moves by more than threshold; returns the records and the masked kernels." },
    channel_angles = { "prune.channel_angles(net, k, x [, {center, tol}])",
      "Angles in degrees (K x K) between the output channels of the Conv2d at net[k] over "
      .. "the batch x, each channel's activations (after the activation module that follows, "
      .. "if any) flattened to one vector; centred at 0.5 after Sigmoid, 0 otherwise, unless "
      .. "opts.center. Returns angles, dead channels, activation type.",
      "angles, dead = prune.channel_angles(net, 4, train.x)" },
    remove_channels = { "prune.remove_channels(net, k, list [, {into = j, complementary}])",
      "Removes output channels list of the Conv2d at net[k] and their inputs in the next "
      .. "Conv2d or Linear. Without into, the kernels count as masked (act(bias) folded into "
      .. "the next bias); with into = j, each is first merged into channel j (its outgoing "
      .. "weights added to j's; complementary = true subtracts them, for a_removed = 1 - a_j). "
      .. "Optimisers built before must be rebuilt.", "prune.remove_channels(net, 1, {3, 7})" },
  })
end
