-- sfew.json: JSON text for model specs, checkpoint metadata and results.jsonl lines, by
-- the engine's parser and encoder (engine/io/json.c, json_write.c).
-- encode: tables with keys 1..n are arrays, tables with string keys are objects (keys
-- sorted, so equal values give equal text), an empty table is [] (json.object() gives {}),
-- integers stay integers, floats keep round-trip precision (a float with an integral value
-- is written with ".0", so decode gives a float back), NaN and infinities raise (JSON has
-- no spelling for them), and json.null is null. Tables are read raw (metamethods are not
-- called). decode: strict RFC 8259; returns the value or nil, message; null decodes to
-- json.null.
local core = require "sfew.core.io"

local M = {}

M.null = setmetatable({}, {__tostring = function() return "json.null" end})
local object_mt = {__name = "json.object"}

-- An empty (or any) table that encodes as an object even when it has no keys.
function M.object(t)
  return setmetatable(t or {}, object_mt)
end

-- json.encode(value) -> text; raises (error level 2) on values JSON cannot hold.
function M.encode(v)
  local ok, text = pcall(core.json_encode, v, M.null, object_mt)
  if not ok then error(text, 2) end
  return text
end

-- json.decode(text) -> value, or nil, message (naming the position) for malformed text.
function M.decode(s)
  if type(s) ~= "string" then
    error("bad argument #1 to 'decode' (string expected, got " .. type(s) .. ")", 2)
  end
  local v, msg = core.json_decode(s, M.null, object_mt)
  if msg then
    return nil, (msg:gsub("^json: (.*) at byte (%d+)$", function(what, byte)
      return ("json.decode: %s at position %d"):format(what, tonumber(byte) + 1)
    end))
  end
  return v
end

return M
