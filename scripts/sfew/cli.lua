-- Command-line options for experiments and tools: a declarative spec, GNU-style parsing
-- (--name value, --name=value, --flag, --no-flag), and a generated --help.
local M = {}

-- spec: list of {name, default, help [, type = "number"|"integer"|"string"|"boolean",
-- check = function(value) that raises on a bad value]} (type defaults to the default's
-- type; a nil default needs an explicit type).
-- Returns the options table, or prints usage and returns nil for --help.
-- Raises "name: ..." errors for unknown options and bad values.
function M.parse(args, spec, usage)
  local opts, by_name = {}, {}
  for _, o in ipairs(spec) do
    local name = o[1]
    o.type = o.type or type(o[2])
    by_name[name] = o
    opts[name:gsub("-", "_")] = o[2]
  end
  local positional, given = {}, {}
  opts._given = given -- which options the command line set (a quick mode must not override them)
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "--help" or a == "-h" then
      io.write(M.usage(spec, usage))
      return nil
    elseif a:sub(1, 2) == "--" and #a > 2 then
      local name, value = a:match("^%-%-([^=]+)=(.*)$")
      name = name or a:sub(3)
      local o = by_name[name]
      local negated = false
      if not o and name:sub(1, 3) == "no-" and by_name[name:sub(4)] then
        o, negated = by_name[name:sub(4)], true
      end
      if not o then error(("unknown option --%s (see --help)"):format(name), 0) end
      if o.type == "boolean" then
        if value then
          if value ~= "true" and value ~= "false" then
            error(("--%s takes true or false, got '%s'"):format(o[1], value), 0)
          end
          value = value == "true"
        else
          value = not negated
        end
      else
        if not value then
          i = i + 1
          value = args[i]
          if value == nil then error(("--%s needs a value"):format(o[1]), 0) end
        end
        if o.type == "number" or o.type == "integer" then
          local n = tonumber(value)
          if not n or (o.type == "integer" and math.type(n) ~= "integer") then
            error(("--%s takes %s, got '%s'"):format(o[1],
              o.type == "integer" and "an integer" or "a number", value), 0)
          end
          value = n
        end
      end
      if o.check then o.check(value) end
      opts[o[1]:gsub("-", "_")] = value
      given[o[1]:gsub("-", "_")] = true
    else
      positional[#positional + 1] = a
    end
    i = i + 1
  end
  return opts, positional
end

function M.usage(spec, usage)
  local lines = { usage or "usage: sfewlua script.lua [options]", "", "Options:" }
  local width = 0
  for _, o in ipairs(spec) do
    local t = o.type or type(o[2])
    o.label = "--" .. o[1] .. (t == "boolean" and "" or " " .. t:upper():sub(1, 3))
    width = math.max(width, #o.label)
  end
  for _, o in ipairs(spec) do
    local def = o[2] ~= nil and ("  (default: " .. tostring(o[2]) .. ")") or ""
    lines[#lines + 1] = ("  %-" .. width .. "s  %s%s"):format(o.label, o[3] or "", def)
  end
  lines[#lines + 1] = ("  %-" .. width .. "s  %s"):format("--help", "show this help")
  return table.concat(lines, "\n") .. "\n"
end

-- Fills the fields of `opts` missing from `given` (a Lua table of options, as passed to
-- an experiment's run()) and checks their types against the spec.
function M.merge(spec, given)
  local opts = {}
  for _, o in ipairs(spec) do opts[o[1]:gsub("-", "_")] = o[2] end
  for k, v in pairs(given or {}) do
    local key = k:gsub("-", "_")
    local known = false
    for _, o in ipairs(spec) do
      if o[1]:gsub("-", "_") == key then
        known = true
        local want = o.type or type(o[2])
        local have = type(v)
        if want == "integer" then want = "number" end
        if want ~= "nil" and have ~= want then
          error(("option %s must be a %s, got %s"):format(k, want, have), 3)
        end
        if o.check then o.check(v) end
      end
    end
    if not known then error("unknown option " .. tostring(k), 3) end
    opts[key] = v
  end
  opts._given = {}
  for k in pairs(given or {}) do opts._given[k:gsub("-", "_")] = true end
  return opts
end

-- The items of a comma-separated option value, each checked: check(item) returns the
-- item as it is to be used, or nil when it is not one; the error names the option, the
-- bad item and what is expected. An empty list or an empty item is an error too.
function M.list(text, option, check, expected)
  if type(text) ~= "string" then
    error(("--%s: expected %s, got %s"):format(option, expected, type(text)), 0)
  end
  local out = {}
  for item in (text .. ","):gmatch("([^,]*),") do
    item = item:match("^%s*(.-)%s*$")
    local v = item ~= "" and check(item) or nil
    if v == nil then
      error(("--%s: '%s' is not %s"):format(option, item, expected), 0)
    end
    out[#out + 1] = v
  end
  return out
end

-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "sfew.cli",
  "Command-line options for experiments and tools: spec, parsing, --help.")
doc.table(M, {
  list = { "cli.list(text, option, check, expected)",
    "The items of a comma-separated option value, each passed through check (nil: not one); "
    .. "raises \"--option: 'item' is not <expected>\" on a bad or empty item." },
  parse = { "cli.parse(args, spec [, usage])",
    "Parses --name value, --name=value, --flag, --no-flag against spec ({name, default, "
    .. "help, type = ...} entries); the options table, or nil after printing --help." },
  usage = { "cli.usage(spec [, usage])", "The --help text of a spec." },
  merge = { "cli.merge(spec, given)",
    "The spec's defaults overridden by the Lua table given, with types checked." },
})

return M
