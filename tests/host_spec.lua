-- The sfewlua host: scripts with arguments, -e, the REPL on standard input, errors.
local h = require "helpers"

describe("sfewlua", function()
  it("runs -e statements with sfew preloaded", function()
    local ok, out = h.run{"-e", "print(sfew.tensor.ones{2,3}:sum())"}
    assert.is_true(ok)
    assert.are.equal("6\n", out)
  end)
  it("runs a script with its arguments in arg", function()
    local dir = h.tmpdir()
    local f = assert(io.open(dir .. "/s.lua", "w"))
    f:write("print(#arg, arg[1], arg[2], select('#', ...))\n")
    f:close()
    local ok, out = h.run{dir .. "/s.lua", "a", "b"}
    h.rmdir(dir)
    assert.is_true(ok)
    assert.are.equal("2\ta\tb\t2\n", out)
  end)
  it("prints expressions at the prompt and keeps going after an error", function()
    local ok, out, err = h.run({}, "x = sfew.tensor.zeros{2,2}\nx\nerror('boom')\n1+1\n")
    assert.is_true(ok)
    assert.matches("sfew.Tensor%(2x2%)", out)
    assert.matches("\n2\n", out)
    assert.matches("boom", err)
  end)
  it("reads statements that span several lines", function()
    local ok, out = h.run({}, "for i = 1, 2 do\nprint(i * 10)\nend\n")
    assert.is_true(ok)
    assert.matches("10\n20\n", out)
  end)
  it("exits with status 1 and a clear message on an error", function()
    local ok, _, err, code = h.run{"-e", "sfew.tensor.zeros{2}:get(5)"}
    assert.is_false(ok)
    assert.are.equal(1, code)
    assert.matches("bad argument #1 to 'get'", err)
    assert.matches("traceback", err)
  end)
  it("shows its version and usage", function()
    local ok, out = h.run{"-v"}
    assert.is_true(ok)
    assert.matches("^sfewlua %d", out)
    ok, out = h.run{"-h"}
    assert.is_true(ok)
    assert.matches("usage:", out)
    local bad = h.run{"-z"}
    assert.is_false(bad)
  end)
  it("finds the project's modules from any working directory", function()
    local ok, out = h.run{"-e", "require 'sfew.nn'; print(package.sfew_root ~= nil)"}
    assert.is_true(ok)
    assert.are.equal("true\n", out)
  end)
  it("loads as a Lua module into plain lua5.4", function()
    local cmd = "cd " .. h.quote(h.root) .. " && lua5.4 -e " ..
      h.quote('package.cpath="build/?.so;"..package.cpath; ' ..
        'print(require("sfew").tensor.ones{2}:sum())')
    local p = assert(io.popen(cmd))
    local out = p:read("a")
    p:close()
    assert.are.equal("2\n", out)
  end)
end)
