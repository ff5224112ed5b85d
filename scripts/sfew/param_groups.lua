-- sfew.param_groups: parameter groups with their own options, as PyTorch's
-- optim.Adam({{params = ..., lr = ...}, ...}, defaults): one engine optimiser per group
-- behind one object with step, zero_grad, lr, state_dict and load_state_dict. Reading
-- opt.lr gives the first group's rate; setting it scales every group's rate by the same
-- factor, so a schedule moves all groups together and keeps their ratios (PyTorch's
-- multiplicative schedules do the same; an eta_min or a warm-up is applied per group
-- there and to the ratio here).
local argcheck = require "sfew.argcheck"

local M = {}

-- Whether params is a list of group tables rather than a list of tensors.
function M.is_groups(params)
  return type(params) == "table" and type(params[1]) == "table"
    and getmetatable(params[1]) == nil and params[1].params ~= nil
end

local Groups = {}

local methods = {}
function methods:step()
  for _, g in ipairs(rawget(self, "groups")) do g.opt:step() end
  return self
end
function methods:zero_grad()
  for _, g in ipairs(rawget(self, "groups")) do g.opt:zero_grad() end
  return self
end
-- {tensors, meta} as one optimiser's state_dict, each group's entries under "g<i>."
-- (so checkpoint.save stores groups as it stores one optimiser).
function methods:state_dict()
  local out = { tensors = {}, meta = { type = "groups" } }
  for i, g in ipairs(rawget(self, "groups")) do
    local sd = g.opt:state_dict()
    for k, t in pairs(sd.tensors) do out.tensors[("g%d.%s"):format(i, k)] = t end
    for k, v in pairs(sd.meta) do out.meta[("g%d.%s"):format(i, k)] = v end
  end
  return out
end

function methods:load_state_dict(sd)
  argcheck.check(type(sd) == "table" and type(sd.tensors) == "table"
    and type(sd.meta) == "table" and sd.meta.type == "groups", 1, "load_state_dict",
    "state of parameter groups expected")
  local list = rawget(self, "groups")
  local parts = {}
  for i = 1, #list do parts[i] = { tensors = {}, meta = {} } end
  for _, field in ipairs { "tensors", "meta" } do
    for k, v in pairs(sd[field]) do
      local i, rest = k:match("^g(%d+)%.(.+)$")
      i = tonumber(i)
      if i and parts[i] then parts[i][field][rest] = v
      elseif k ~= "type" then
        argcheck.error(1, "load_state_dict", ("entry '%s' fits no group of %d"):format(k, #list))
      end
    end
  end
  -- every group checks its part before any changes
  for i = 1, #list do
    argcheck.check(next(parts[i].meta) ~= nil, 1, "load_state_dict",
      ("no state for group %d"):format(i))
  end
  for i, g in ipairs(list) do g.opt:load_state_dict(parts[i]) end
  return self
end

Groups.__name = "sfew.ParamGroups"
Groups.__index = function(self, key)
  if methods[key] then return methods[key] end
  if key == "lr" then return rawget(self, "groups")[1].opt.lr end
  if key == "param_groups" then
    local out = {}
    for i, g in ipairs(rawget(self, "groups")) do out[i] = { params = g.params, lr = g.opt.lr } end
    return out
  end
end
Groups.__newindex = function(self, key, value)
  if key ~= "lr" then error(("cannot assign '%s' of parameter groups"):format(key), 2) end
  argcheck.check(type(value) == "number" and value >= 0, 3, "lr", "non-negative number expected", 2)
  local list = rawget(self, "groups")
  local old = list[1].opt.lr
  for _, g in ipairs(list) do
    g.opt.lr = old > 0 and g.opt.lr * value / old or value
  end
end
Groups.__tostring = function(self)
  local parts = {}
  for i, g in ipairs(rawget(self, "groups")) do
    parts[i] = ("%d tensors at lr %g"):format(#g.params, g.opt.lr)
  end
  return ("%s groups {%s}"):format(rawget(self, "name"), table.concat(parts, "; "))
end

-- make(params, opts) builds one engine optimiser; name is for messages ("Adam"). Called
-- by the optimiser's constructor: errors are raised at its caller's line.
function M.new(make, name, list, defaults)
  argcheck.type(defaults, "table", 2, name, true)
  local groups = {}
  for i, g in ipairs(list) do
    argcheck.check(type(g) == "table" and type(g.params) == "table", 1, name,
      ("group %d must be a table with a 'params' list"):format(i), 2)
    local opts = {}
    for k, v in pairs(defaults or {}) do opts[k] = v end
    for k, v in pairs(g) do if k ~= "params" then opts[k] = v end end
    local ok, opt = pcall(make, g.params, opts)
    if not ok then
      error(("%s (in group %d)"):format((tostring(opt):gsub("'sfew%.core%.optim%.", "'", 1)), i), 3)
    end
    groups[i] = { params = g.params, opt = opt }
  end
  return setmetatable({ groups = groups, name = name }, Groups)
end

return M
