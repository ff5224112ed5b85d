-- sfew.script: lets one file be both a script and a module. Run by sfewlua (or lua5.4)
-- it parses arg and runs; loaded with require or dofile it returns its module table.
--   local M = {}
--   function M.run(opts) ... return results end
--   return script.main(M, function(args) return M.run(cli.parse(args)) end)
-- `sfewlua -i experiments/pic.lua --quick` then leaves the results in the global `result`.
local M = {}

local own_source = debug.getinfo(1, "S").source

-- True when the chunk that called us (directly, or through script.main's tail call) is
-- the host's main script: its caller is the host's outermost C function, not require,
-- dofile or a REPL line.
function M.is_main()
  if type(rawget(_G, "arg")) ~= "table" then return false end
  local frames, level = {}, 2
  while true do
    local info = debug.getinfo(level, "St")
    if not info then break end
    frames[#frames + 1] = info
    level = level + 1
  end
  local n, i = #frames, 1
  while frames[i] and frames[i].source == own_source do i = i + 1 end
  if n == 0 or frames[n].what ~= "C" then return false end
  if i > 1 and frames[i - 1].istailcall then return i == n end -- the chunk was replaced
  return i == n - 1 and frames[i].what == "main"
end

-- When the calling file is the main script, runs run_from_args(arg) and returns its
-- results; otherwise returns M unchanged (the file was required or dofile'd).
function M.main(mod, run_from_args)
  if type(mod) ~= "table" then
    error("bad argument #1 to 'main' (module table expected, got " .. type(mod) .. ")", 2)
  end
  if type(run_from_args) ~= "function" then
    error("bad argument #2 to 'main' (function expected, got " .. type(run_from_args) .. ")", 2)
  end
  if not M.is_main() then return mod end
  return run_from_args(rawget(_G, "arg"))
end

-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "sfew.script", "One file as both a script and a module.")
doc.table(M, {
  is_main = { "script.is_main()", "True when the calling chunk is the host's main script." },
  main = { "script.main(mod, run_from_args)",
    "Run as the main script: run_from_args(arg)'s results; required or dofile'd: mod. "
    .. "", "return script.main(M, function(args) return M.run(cli.parse(args, spec)) end)" },
})

return M
