-- What loading sfew puts on the module search path: the project's own names (sfew.* and
-- experiments.*) and nothing else.
local h = require "helpers"

local function lua_with_so(code)
  local cmd = ("cd %s && env -u LUA_PATH -u LUA_PATH_5_4 lua5.4 -e %s 2>&1"):format(
    h.quote(h.root), h.quote("package.cpath = 'build/?.so;' .. package.cpath; " .. code))
  local p = assert(io.popen(cmd))
  local out = p:read("a")
  p:close()
  return out
end

describe("sfew module search", function()
  it("resolves sfew.* library modules and experiments.* from the project root", function()
    local ok, out = h.run{ "-e", "print(type(require('sfew.report').markdown), "
      .. "type(sfew.experiment.paper_cnn), type(require('experiments.pic').run))" }
    assert.is_true(ok)
    assert.matches("function\tfunction\tfunction", out)
  end)

  it("does not make generic names such as report or cli requirable", function()
    local _, out = h.run{ "-e", "print(pcall(require, 'report'), pcall(require, 'cli'))" }
    assert.matches("^false", out)
    assert.not_matches("true", out)
    out = lua_with_so("require 'sfew'; print(pcall(require, 'report'))")
    assert.matches("^false", out)
    assert.matches("module 'report' not found", out)
  end)

  it("loads the library modules as fields of the sfew table on first use", function()
    local out = lua_with_so("local s = require 'sfew'; print(rawget(s, 'report') == nil, "
      .. "s.report == require 'sfew.report', rawget(s, 'report') ~= nil)")
    assert.matches("true\ttrue\ttrue", out)
  end)
end)
