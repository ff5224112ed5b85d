-- sfew.nn's built-in layer types as Lua sees them: the constructors that take an options
-- table check its keys before the C constructor reads it, and the builders that make a
-- module again from its spec (opts.rng draws the initial weights). Installed by nn.lua.
local argcheck = require "sfew.argcheck"
local core = require "sfew.core.nn"

-- Installs the checked constructors into M (sfew.nn); returns the builders by type name.
return function(M)
  -- The constructors with an options table check its keys here (a misspelt key raises,
  -- suggesting the right one) before the C constructor reads it; the C constructor's own
  -- errors are raised again at the caller's line, naming the constructor.
  local function keys(pos, list) return { pos = pos, set = argcheck.set(list) } end
  local option_keys = {
    BatchNorm2d = keys(2, { "eps", "momentum", "affine" }),
    BatchNorm1d = keys(2, { "eps", "momentum", "affine" }),
    Dropout = keys(2, { "rng" }), Dropout2d = keys(2, { "rng" }),
    AvgPool2d = keys(2, { "stride", "padding", "count_include_pad" }),
    CrossEntropyLoss = keys(1, { "weight", "label_smoothing" }),
  }
  local function construct(name, ...)
    local ok, m = pcall(core[name], ...)
    if ok then return m end
    error((tostring(m):gsub("'sfew%.core%.nn%.", "'", 1)), 3)
  end
  for name, k in pairs(option_keys) do
    M[name] = function(...)
      argcheck.options((select(k.pos, ...)), k.set, k.pos, name)
      local m = construct(name, ...)
      return m
    end
  end

  local builders = {
    Linear = function(s, o)
      return core.Linear(s.in_features, s.out_features, { bias = s.bias, rng = o.rng })
    end,
    Conv2d = function(s, o)
      return core.Conv2d(s.in_channels, s.out_channels, s.kernel,
        { stride = s.stride, padding = s.padding, bias = s.bias, rng = o.rng })
    end,
    MaxPool2d = function(s) return core.MaxPool2d(s.kernel, { stride = s.stride }) end,
    AvgPool2d = function(s)
      return core.AvgPool2d(s.kernel, { stride = s.stride, padding = s.padding,
        count_include_pad = s.count_include_pad })
    end,
    AdaptiveAvgPool2d = function(s) return core.AdaptiveAvgPool2d(s.output_size) end,
    Dropout = function(s) return core.Dropout(s.p) end,
    Dropout2d = function(s) return core.Dropout2d(s.p) end,
    LeakyReLU = function(s) return core.LeakyReLU(s.negative_slope) end,
    ELU = function(s) return core.ELU(s.alpha) end,
    CrossEntropyLoss = function(s)
      return core.CrossEntropyLoss { weight = s.weight, label_smoothing = s.label_smoothing }
    end,
  }
  for _, name in ipairs { "BatchNorm2d", "BatchNorm1d" } do
    builders[name] = function(s)
      return core[name](s.num_features, { eps = s.eps, momentum = s.momentum, affine = s.affine })
    end
  end
  for _, name in ipairs { "ReLU", "Sigmoid", "Tanh", "Flatten", "MSELoss" } do
    builders[name] = function() return core[name]() end
  end
  return builders
end
