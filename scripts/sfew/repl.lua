-- sfew.repl: the Lua half of the sfewlua prompt, loaded by the host when the REPL starts:
-- the value printer, completion, help(x) over the sfew.doc registry, and reload(name).
-- The host installs help and reload as globals at the prompt only; scripts never see them.
local doc = require "sfew.doc"
local pretty = require "sfew.pretty"
local complete = require "sfew.complete"

local M = {}

pretty.function_name = function(f)
  local e = doc.lookup(f)
  return e and e.sig
end

M.print_values = pretty.print_values
M.format = pretty.format

-- Completion for the host: the line before the cursor -> full replacement words.
function M.complete(line)
  return complete.complete(line, _G)
end

local function out(s)
  io.stdout:write(s, "\n")
end

-- Evaluates a name such as "sfew.nn.Linear" or "t:reshape" in the globals.
local function eval_name(expr)
  local code = expr:gsub(":([%a_][%w_]*)%s*$", ".%1")
  local chunk = load("return " .. code, "=help", "t", _G)
  if not chunk then return nil end
  local ok, v = pcall(chunk)
  if ok then return v end
  return nil
end

local function entry_line(e, width)
  return ("  %-" .. width .. "s  %s"):format(e.sig, e.desc)
end

-- The members of a table (or a method table) with their one-line docs, sorted.
local function list_members(tbl, methods)
  local keys = {}
  for k in next, tbl do
    if type(k) == "string" and k:sub(1, 1) ~= "_" then keys[#keys + 1] = k end -- public only
  end
  table.sort(keys)
  local rows, width = {}, 0
  for _, k in ipairs(keys) do
    local v = rawget(tbl, k)
    local e = doc.lookup(v, k, methods)
    local row = e and { sig = e.sig, desc = e.desc } or { sig = k, desc = "(" .. type(v) .. ")" }
    rows[#rows + 1] = row
    width = math.max(width, #row.sig)
  end
  width = math.min(width, 36)
  for _, row in ipairs(rows) do out(entry_line(row, width)) end
end

-- The method table behind an object, if any (a class table or a tensor's methods).
local function methods_of(x)
  local mt = getmetatable(x)
  if type(mt) ~= "table" then return nil end
  local index = rawget(mt, "__index")
  if type(index) == "table" then return index end
  if rawget(mt, "__name") == "sfew.Tensor" then
    local t = package.loaded["sfew.core.tensor"]
    return t and t.methods
  end
  local methods = rawget(mt, "__methods") -- the convention for an __index function
  if type(methods) == "table" then return methods end
  return complete.closed_over_table(index) -- what completion lists, help lists too
end

-- Prints the signature and description of x (a value, or a name as a string), and the
-- contents of a module or the methods of an object.
function M.help(x)
  if x == nil or x == "" then
    out("help(x) or ?x at the prompt: the signature and description of an sfew function,")
    out("class or method (?t:reshape, ?net:forward on live objects); help(sfew.nn) lists a")
    out("module, help(net) an object's methods. The modules:")
    local index, width = doc.index(), 0
    for _, m in ipairs(index) do width = math.max(width, #m.name) end
    for _, m in ipairs(index) do out(entry_line({ sig = m.name, desc = m.desc }, width)) end
    return
  end
  local name = type(x) == "string" and x or nil
  local v = x
  if name then
    local by_name = doc.lookup(name)
    v = eval_name(name)
    if v == nil and by_name then
      out(by_name.sig)
      out("  " .. by_name.desc)
      return
    end
    if v == nil then
      out("help: no value and no documentation for '" .. name .. "'")
      return
    end
  end
  local e = doc.lookup(v, name and doc.short_name(name)) or (name and doc.lookup(name))
  if e then
    out(e.sig)
    if e.desc ~= "" then out("  " .. e.desc) end
    if e.example then out("  Example: " .. e.example) end
  elseif type(v) ~= "table" then
    out((name and name .. ": " or "") .. "no documentation for this " .. type(v))
  end
  if type(v) == "table" and not methods_of(v) then
    if not e then out(name or tostring(v)) end
    list_members(v)
  elseif type(v) == "table" or type(v) == "userdata" then
    local methods = methods_of(v)
    if methods then
      out("methods:")
      list_members(methods, true)
    end
  end
end

-- Re-requires an edited pure-Lua module and updates the places that held the old one:
-- its field in sfew (for "sfew.x") and globals bound to it. Returns the new module.
function M.reload(name)
  if type(name) ~= "string" then
    error("bad argument #1 to 'reload' (module name expected, got " .. type(name) .. ")", 2)
  end
  if name == "sfew" or name:match("^sfew%.core%.") then
    error("reload: '" .. name .. "' is part of the C engine; reload a Lua module instead", 2)
  end
  local base = rawget(package, "sfew_root") -- sfew.* and experiments.* live under it
  if not package.searchpath(name, package.path) and not (base
      and package.searchpath(name, base .. "/scripts/?.lua;" .. base .. "/?.lua")) then
    error("reload: no Lua file for module '" .. name .. "' on package.path", 2)
  end
  local old = package.loaded[name]
  package.loaded[name] = nil
  local ok, new = pcall(require, name)
  if not ok then
    package.loaded[name] = old -- keep the working version when the edit does not load
    error(new, 2)
  end
  local field = name:match("^sfew%.([%w_]+)$")
  local root = package.loaded.sfew
  if field and type(root) == "table" and rawget(root, field) == old then root[field] = new end
  if old ~= nil and type(old) ~= "boolean" then
    for k, v in pairs(_G) do
      if v == old then _G[k] = new end
    end
  end
  return new
end

-- ---- running what is typed -----------------------------------------------------------

local USER_SOURCE = "=stdin" -- the chunk name the host gives every input

-- The frame of the user's input nearest the error, as "stdin:3", from stack level `from`.
local function user_line(from)
  for level = from, 200 do
    local info = debug.getinfo(level, "Sl")
    if not info then return nil end
    if info.source == USER_SOURCE and info.currentline > 0 then
      return ("%s:%d"):format(info.short_src, info.currentline)
    end
  end
end

-- A traceback cut after the user's frame (or above the REPL's own frames when a tail call
-- hid it): the library frames between the error and the user's line say what failed.
local function trimmed_traceback(msg)
  local lines = {}
  for line in debug.traceback(msg, 3):gmatch("[^\n]+") do
    if line:match("in function 'xpcall'") then break end
    lines[#lines + 1] = line
    if line:match("^%s+stdin:%d+:") then break end
  end
  return table.concat(lines, "\n")
end

-- The input being run, for errors whose user frame a tail call replaced: "return f(x)"
-- (every expression typed) leaves no frame of its own; a one-line input is line 1.
local current_text

local function on_error(err)
  local msg = err
  if type(msg) ~= "string" then
    local mt = getmetatable(msg)
    msg = mt and mt.__tostring and tostring(msg)
      or ("(error object is a %s value)"):format(type(msg))
  end
  local where = user_line(3)
  if not where and current_text then
    where = current_text:find("\n") and "stdin" or "stdin:1"
  end
  -- Ctrl-C: the host raises "interrupted!" wherever Lua was (containers may prefix it)
  if msg:match("interrupted!$") then return where .. ": interrupted" end
  if msg:sub(1, #where + 1) ~= where .. ":" then msg = where .. ": " .. msg end
  local text = trimmed_traceback(msg) -- not a tail call: it counts this frame
  return text
end

local function finish(ok, ...)
  current_text = nil
  if ok then return true, ... end
  return false, (...)
end

-- Runs one input typed at the prompt (text: its source, for messages): true and its
-- results, or false and the message to print. An error names the user's line first
-- (library errors too); Ctrl-C prints "stdin:N: interrupted" without the library's frames.
function M.run(text, chunk, ...)
  current_text = type(text) == "string" and text or ""
  return finish(xpcall(chunk, on_error, ...))
end

-- Makes help and reload globals (called by the host when the prompt starts).
function M.install()
  _G.help = M.help
  _G.reload = M.reload
end

return M
