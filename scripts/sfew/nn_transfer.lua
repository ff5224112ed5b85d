-- sfew.nn_transfer: the Sequential methods for transfer learning (freezing layers,
-- replacing one), installed by sfew.nn into its Sequential class.
local argcheck = require "sfew.argcheck"

return function(Sequential, is_module)
  local function check_range(self, first, last, fname)
    first, last = first or 1, last or #self
    argcheck.check(math.type(first) == "integer" and first >= 1 and first <= #self, 1, fname,
      ("layer number in 1..%d expected, got %s"):format(#self, tostring(first)), 2)
    argcheck.check(math.type(last) == "integer" and last >= first and last <= #self, 2, fname,
      ("layer number in %d..%d expected, got %s"):format(first, #self, tostring(last)), 2)
    return first, last
  end

  local function update_frozen(self)
    local upto = 0
    while self._frozen[upto + 1] do upto = upto + 1 end
    self._frozen_upto = upto
    if self.training then self:train() end
  end

  -- net:freeze([first = 1 [, last = #net]]): layers first..last keep their parameters:
  -- train.step restores them after every optimiser step, a frozen prefix runs no backward,
  -- and frozen layers stay in evaluation mode (BatchNorm keeps its running statistics,
  -- Dropout is off), as when fine-tuning a pretrained feature extractor.
  function Sequential:freeze(first, last)
    first, last = check_range(self, first, last, "freeze")
    self._frozen = self._frozen or {}
    for i = first, last do self._frozen[i] = true end
    update_frozen(self)
    return self
  end

  -- net:unfreeze([first = 1 [, last = #net]]): undoes freeze for those layers.
  function Sequential:unfreeze(first, last)
    first, last = check_range(self, first, last, "unfreeze")
    self._frozen = self._frozen or {}
    for i = first, last do self._frozen[i] = nil end
    update_frozen(self)
    return self
  end

  -- Whether layer i is frozen.
  function Sequential:frozen(i)
    return (self._frozen or {})[i] == true
  end

  -- The parameters of the layers that are not frozen (what an optimiser should get).
  function Sequential:trainable_parameters()
    local list, frozen = {}, self._frozen or {}
    for i, m in ipairs(self) do
      if not frozen[i] then
        for _, p in ipairs(m:parameters()) do list[#list + 1] = p end
      end
    end
    return list
  end

  -- The parameters of the frozen layers (empty when none).
  function Sequential:frozen_parameters()
    local list, frozen = {}, self._frozen or {}
    for i, m in ipairs(self) do
      if frozen[i] then
        for _, p in ipairs(m:parameters()) do list[#list + 1] = p end
      end
    end
    return list
  end

  -- net:replace(i, module): puts module in place of layer i (a new classifier for another
  -- class count, say); the layer's frozen mark goes. Returns the net.
  function Sequential:replace(i, m)
    check_range(self, i, i, "replace")
    if not is_module(m) then argcheck.expected(2, "replace", "module", m) end
    local mods = {}
    for k = 1, #self do mods[k] = self[k] end
    mods[i] = m
    for k = #self, 1, -1 do self[k] = nil end
    self._types, self._steps, self._inputs = {}, {}, {}
    self.output, self.grad_input = nil, nil
    for _, mod in ipairs(mods) do self:add(mod) end
    if self._frozen then
      self._frozen[i] = nil
      update_frozen(self)
    end
    return self
  end
end
