-- sfew.script (a file that is both a script and a module), reload(), and what the
-- host adds at the prompt: '_', a quiet ';', ?name, -i keeping a script's results.
local h = require "helpers"
local script = require "sfew.script"
local repl = require "sfew.repl"

local fixture = h.root .. "/tests/fixtures/script_module.lua"

describe("sfew.script", function()
  describe(".main", function()
    it("runs the file with its arguments when sfewlua runs it", function()
      local ok, out = h.run{ fixture, "1", "2", "39" }
      assert.is_true(ok)
      assert.are.equal("total\t42\n", out)
    end)
    it("returns the module when the file is dofile'd or required", function()
      local m = dofile(fixture)
      assert.are.equal(7, m.run{ values = { 3, 4 } }.total)
      local ok, out = h.run({}, "m = dofile(" .. ("%q"):format(fixture) .. ")\n" ..
        "package.path = " .. ("%q"):format(h.root .. "/tests/fixtures/?.lua;") ..
        " .. package.path\nrequire('script_module').run{values = {5}}.count\n")
      assert.is_true(ok)
      assert.are.equal("1\n", out)
    end)
    it("raises on a missing module table", function()
      assert.has_error(function() script.main(nil, print) end,
        "bad argument #1 to 'main' (module table expected, got nil)")
    end)
  end)
  describe(".is_main", function()
    it("is false inside a spec (no host script)", function()
      assert.is_false(script.is_main())
    end)
  end)
end)

describe("sfewlua -i", function()
  it("leaves the script's result in 'result' and '_' at the prompt", function()
    local ok, out = h.run({ "-i", fixture, "40", "2" }, "_ == result\nresult.total + 1\n")
    assert.is_true(ok)
    assert.are.equal("total\t42\ntrue\n43\n", out)
  end)
end)

describe("sfewlua prompt (piped)", function()
  it("keeps the first value in _ and stays quiet after ';'", function()
    local ok, out = h.run({}, "10, 20;\n_ + 1\n")
    assert.is_true(ok)
    assert.are.equal("11\n", out)
  end)
  it("answers ?name with help, and scripts get no help global", function()
    local ok, out = h.run({}, "?sfew.clock\n")
    assert.is_true(ok)
    assert.matches("^sfew.clock%(%)\n  Monotonic", out)
    ok, out = h.run{ "-e", "print(help, reload)" }
    assert.is_true(ok)
    assert.are.equal("nil\tnil\n", out)
  end)
end)

describe("sfew.repl", function()
  describe(".reload", function()
    it("re-requires an edited module and rebinds globals that held it", function()
      local dir = h.tmpdir()
      local saved = package.path
      package.path = dir .. "/?.lua;" .. package.path
      local function write(v)
        local f = assert(io.open(dir .. "/reload_me.lua", "w"))
        f:write("return {value = " .. v .. "}\n")
        f:close()
      end
      write(1)
      rawset(_G, "reload_me", require "reload_me")
      write(2)
      local new = repl.reload("reload_me")
      assert.are.equal(2, new.value)
      assert.are.equal(new, rawget(_G, "reload_me"))
      write("}") -- a broken edit: the old module stays
      assert.has_error(function() repl.reload("reload_me") end)
      assert.are.equal(new, package.loaded.reload_me)
      rawset(_G, "reload_me", nil)
      package.loaded.reload_me = nil
      package.path = saved
      h.rmdir(dir)
    end)
    it("refuses the C engine and unknown names", function()
      assert.has_error(function() repl.reload("sfew.core.tensor") end)
      assert.has_error(function() repl.reload("no.such.module") end)
      assert.has_error(function() repl.reload(3) end,
        "bad argument #1 to 'reload' (module name expected, got number)")
    end)
  end)
end)
