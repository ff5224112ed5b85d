-- Hostile values for the Lua-level fuzzer: tables whose metamethods free the call's other
-- arguments, collect garbage, raise, or answer differently on each access; freed tensors.
-- Every generated call (and every regression in tests/fuzz/lua/) starts from this file.
local sfew = require "sfew"
local H = { sfew = sfew, T = sfew.tensor, nn = sfew.nn, R = sfew.rng(7) }

-- Frees every argument of the call that can be freed (tensors; anything with :free()).
function H.free_all(args)
  for i = 1, args.n or #args do
    local v = args[i]
    if type(v) == "userdata" then
      local ok, free = pcall(function() return v.free end)
      if ok and type(free) == "function" then pcall(free, v) end
    end
  end
end

local pool = { 0, 1, 2, -1, 3, math.maxinteger, math.mininteger, 0 / 0, "x", false }

-- base with a metatable whose __index / __len run `mode` against args first:
-- "free" frees them, "gc" collects, "error" raises, "vary" answers from a pool in turn,
-- "len" claims an absurd length, "all" does free + gc + vary.
function H.hostile(args, base, mode)
  local k = 0
  local function act()
    if mode == "free" or mode == "all" then H.free_all(args) end
    if mode == "gc" or mode == "all" then collectgarbage() end
    if mode == "error" then error("hostile metamethod") end
  end
  return setmetatable(base, {
    __index = function(_, key)
      act()
      k = k + 1
      if mode == "vary" or mode == "all" then return pool[k % #pool + 1] end
      return rawget(base, key)
    end,
    __len = function()
      act()
      k = k + 1
      if mode == "len" then return ({ math.maxinteger, -5, 1 << 40, 3 })[k % 4 + 1] end
      if mode == "vary" or mode == "all" then return k % 5 end
      return rawlen(base)
    end,
    __newindex = function(t, key, v) act(); rawset(t, key, v) end,
    __gc = mode == "free" and function() H.free_all(args) end or nil,
  })
end

-- A tensor that has been freed, and a view whose base has been freed.
function H.freed(shape)
  local t = H.T.zeros(shape or { 2, 2 })
  t:free()
  return t
end

function H.orphan_view()
  local t = H.T.ones { 4, 2 }
  local v = t:narrow(1, 2, 2)
  t:free()
  return v
end

-- Calls f with args[1..args.n] under pcall; a Lua error is a fine outcome.
function H.call(f, args)
  return pcall(f, table.unpack(args, 1, args.n))
end

return H
