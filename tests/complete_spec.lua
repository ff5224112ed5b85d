-- sfew.complete: completion candidates for the REPL.
local complete = require("sfew.complete").complete
local tensor = require "sfew.tensor"

describe("sfew.complete", function()
  local Class = {}
  Class.__index = Class
  function Class.forward() end
  function Class.format() end
  local env = {
    sfew = { nn = { Conv2d = 1, Linear = 2, Container = {} }, tensor = tensor },
    t = tensor.zeros{ 2 },
    net = setmetatable({ layers = {} }, Class),
    cfg = { depth = 1, dropout = 0.5, ["not an id"] = 1 },
    s = "text",
    print = print,
  }

  it("completes globals and keywords", function()
    assert.are.same({ "sfew" }, complete("x = sf", env))
    assert.are.same({ "print" }, complete("pri", env))
    assert.are.same({ "function" }, complete("local f = func", env))
  end)
  it("completes nested fields", function()
    assert.are.same({ "sfew.nn.Container", "sfew.nn.Conv2d" }, complete("sfew.nn.Co", env))
    assert.are.same({ "sfew.tensor" }, complete("print(sfew.ten", env))
  end)
  it("completes keys of ordinary tables, skipping keys that are not names", function()
    assert.are.same({ "cfg.depth", "cfg.dropout" }, complete("cfg.d", env))
    assert.are.same({ "cfg.depth", "cfg.dropout" }, complete("cfg.", env))
  end)
  it("completes methods of a tensor after ':'", function()
    assert.are.same({ "t:reshape" }, complete("t:res", env))
    assert.are.same({ "t.grad" }, complete("t.gr", env))
  end)
  it("completes methods from an object's class after ':' and fields after '.'", function()
    assert.are.same({ "net:format", "net:forward" }, complete("net:fo", env))
    assert.are.same({ "net.layers" }, complete("net.la", env))
  end)
  it("completes userdata whose __index is a function through __methods and __fields", function()
    local mt = { __index = function() end, __methods = { forward = print },
      __fields = { "weight" } }
    local layer = setmetatable({}, mt)
    assert.are.same({ "l:forward" }, complete("l:f", { l = layer }))
    assert.are.same({ "l.forward", "l.weight" }, complete("l.", { l = layer }))
  end)
  it("follows a chain of __index tables to the base classes", function()
    local Root = { format = print }
    Root.__index = Root
    local Base = setmetatable({ forward = print }, Root)
    Base.__index = Base
    local Leaf = setmetatable({ fold = print }, Base)
    Leaf.__index = Leaf
    local obj = setmetatable({ fox = 1 }, Leaf)
    assert.are.same({ "o:fold", "o:format", "o:forward" }, complete("o:fo", { o = obj }))
    assert.are.same({ "o.fold", "o.format", "o.forward", "o.fox" }, complete("o.fo", { o = obj }))
  end)
  it("ends a table chain at an __index function listed through __methods", function()
    local Base = setmetatable({}, { __index = function() end, __methods = { forward = print } })
    Base.__index = Base
    local obj = setmetatable({}, Base)
    assert.are.same({ "o:forward" }, complete("o:fo", { o = obj }))
  end)
  it("reads the method table an __index function closes over, never the globals", function()
    -- the convention of nn layers and Sequential: __index looks names up in an upvalue
    local methods = { forward = print, fold = print }
    local mt = { __index = function(_, k) return rawget(methods, k) or print(k) end }
    local obj = setmetatable({}, mt)
    assert.are.same({ "o:fold", "o:forward" }, complete("o:fo", { o = obj }))
    assert.are.same({}, complete("o:pri", { o = obj }))
  end)
  it("completes forward on a Linear layer (userdata) and on a Sequential", function()
    local nn = require("sfew").nn
    local env2 = { l = nn.Linear(2, 2), net = nn.Sequential{ nn.Linear(2, 2), nn.ReLU() } }
    assert.are.same({ "l:forward" }, complete("l:fo", env2))
    assert.are.same({ "net:forward", "net:forward_to" }, complete("net:fo", env2))
  end)
  it("completes string methods", function()
    assert.are.same({ "s:upper" }, complete("s:up", env))
  end)
  it("finds nothing for unknown names and unevaluated expressions", function()
    assert.are.same({}, complete("nothing.here", env))
    assert.are.same({}, complete("f(x).fo", env))
    assert.are.same({}, complete("t:reshape:x", env))
  end)
  it("never raises on an object whose __index fails", function()
    local bad = setmetatable({}, { __index = function() error("boom") end })
    assert.are.same({}, complete("bad.x.y", { bad = bad }))
  end)
end)
