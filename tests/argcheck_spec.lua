-- sfew.argcheck: argument errors worded as lauxlib's, pointing at the user's line.
local argcheck = require "sfew.argcheck"

local function public(opts)
  return argcheck.options(opts, argcheck.set{"lr", "momentum"}, 2, "f")
end

describe("sfew.argcheck", function()
  it("words an error as luaL_argerror does and points at the caller's line", function()
    local function g(x) argcheck.type(x, "number", 1, "g") end
    local ok, err = pcall(function() g("a") end)
    assert.is_false(ok)
    assert.matches("argcheck_spec.lua:%d+: bad argument #1 to 'g' %(number expected, got string%)",
      err)
  end)

  it("names a userdata by its metatable's __name", function()
    local ud = setmetatable({}, {__name = "sfew.Tensor"})
    assert.equal("sfew.Tensor", argcheck.typename(ud))
  end)

  it("rejects an unknown option and suggests the closest one", function()
    local ok, err = pcall(public, {lr = 1, momentun = 0.9})
    assert.is_false(ok)
    assert.matches("unknown option 'momentun' %(did you mean 'momentum'%?%)", err)
    assert.matches("argcheck_spec.lua", err)
  end)

  it("accepts nil and known options", function()
    assert.same({}, public(nil))
    assert.same({lr = 1}, public({lr = 1}))
  end)

  it("rejects a non-table options argument", function()
    local ok, err = pcall(public, 3)
    assert.is_false(ok)
    assert.matches("bad argument #2 to 'f' %(options table expected, got number%)", err)
  end)
end)
