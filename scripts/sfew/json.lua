-- sfew.json: JSON text for model specs, checkpoint metadata and results.jsonl lines.
-- encode: tables with keys 1..n are arrays, tables with string keys are objects (keys
-- sorted, so equal values give equal text), an empty table is [] (json.object() gives {}),
-- integers stay integers, floats keep round-trip precision (a float with an integral value
-- is written with ".0", so decode gives a float back), NaN and infinities raise (JSON has
-- no spelling for them), and json.null is null. decode: strict RFC 8259; returns the value
-- or nil, message; null decodes to json.null.
local M = {}

M.null = setmetatable({}, {__tostring = function() return "json.null" end})
local object_mt = {__name = "json.object"}

-- An empty (or any) table that encodes as an object even when it has no keys.
function M.object(t)
  return setmetatable(t or {}, object_mt)
end

local escapes = {['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t"}

local function encode_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return escapes[c] or ("\\u%04x"):format(c:byte())
  end) .. '"'
end

local function encode_number(x)
  if math.type(x) == "integer" then return tostring(x) end
  if x ~= x or x == math.huge or x == -math.huge then
    error("json.encode: cannot encode " .. tostring(x) .. " (NaN and infinities have no "
      .. "JSON spelling)", 0)
  end
  local s
  for digits = 14, 17 do
    s = ("%." .. digits .. "g"):format(x)
    if tonumber(s) == x then break end
  end
  if not s:find("[.eEn]") then s = s .. ".0" end
  return s
end

local encode_value

local function encode_table(t, seen, out)
  if seen[t] then error("json.encode: a table contains itself", 0) end
  seen[t] = true
  local n, count, keys = #t, 0, {}
  for k in pairs(t) do
    count = count + 1
    if type(k) == "string" then keys[#keys + 1] = k end
  end
  if count == n and (n > 0 or getmetatable(t) ~= object_mt) then
    out[#out + 1] = "["
    for i = 1, n do
      if i > 1 then out[#out + 1] = "," end
      encode_value(t[i], seen, out)
    end
    out[#out + 1] = "]"
  elseif #keys == count then
    table.sort(keys)
    out[#out + 1] = "{"
    for i, k in ipairs(keys) do
      if i > 1 then out[#out + 1] = "," end
      out[#out + 1] = encode_string(k) .. ":"
      encode_value(t[k], seen, out)
    end
    out[#out + 1] = "}"
  else
    error("json.encode: a table mixes list items and other keys (or has non-string keys)", 0)
  end
  seen[t] = nil
end

encode_value = function(v, seen, out)
  local ty = type(v)
  if v == M.null or v == nil then out[#out + 1] = "null"
  elseif ty == "boolean" then out[#out + 1] = tostring(v)
  elseif ty == "number" then out[#out + 1] = encode_number(v)
  elseif ty == "string" then out[#out + 1] = encode_string(v)
  elseif ty == "table" then encode_table(v, seen, out)
  else error("json.encode: cannot encode a " .. ty, 0) end
end

-- json.encode(value) -> text; raises (error level 2) on values JSON cannot hold.
function M.encode(v)
  local out = {}
  local ok, err = pcall(encode_value, v, {}, out)
  if not ok then error(err, 2) end
  return table.concat(out)
end

-- ---- decoding ----------------------------------------------------------------------

local decode_value

local function fail(s, pos, what)
  error({msg = ("json.decode: %s at position %d"):format(what, pos), s = s}, 0)
end

local function skip(s, pos)
  return s:find("[^ \t\r\n]", pos) or #s + 1
end

local function utf8_char(cp)
  return utf8.char(cp)
end

local function decode_string(s, pos)
  local out, i = {}, pos + 1
  while true do
    local j = s:find('["\\%c]', i)
    if not j then fail(s, pos, "unterminated string") end
    out[#out + 1] = s:sub(i, j - 1)
    local c = s:sub(j, j)
    if c == '"' then return table.concat(out), j + 1 end
    if c ~= "\\" then fail(s, j, "control character in string") end
    local e = s:sub(j + 1, j + 1)
    local simple = ({['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f",
      n = "\n", r = "\r", t = "\t"})[e]
    if simple then
      out[#out + 1], i = simple, j + 2
    elseif e == "u" then
      local hex = s:match("^%x%x%x%x", j + 2)
      if not hex then fail(s, j, "bad \\u escape") end
      local cp = tonumber(hex, 16)
      i = j + 6
      if cp >= 0xD800 and cp <= 0xDBFF then
        local lo = s:match("^\\u(%x%x%x%x)", i)
        lo = lo and tonumber(lo, 16)
        if not lo or lo < 0xDC00 or lo > 0xDFFF then fail(s, j, "lone surrogate") end
        cp, i = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00), i + 6
      elseif cp >= 0xDC00 and cp <= 0xDFFF then
        fail(s, j, "lone surrogate")
      end
      out[#out + 1] = utf8_char(cp)
    else
      fail(s, j, "bad escape")
    end
  end
end

local function decode_number(s, pos)
  local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
  if not num or not num:match("^-?0$") and num:match("^-?0%d")
    or not (num:match("^-?%d+$") or num:match("^-?%d+%.%d+$")
      or num:match("^-?%d+%.?%d*[eE][-+]?%d+$") and not num:match("%.[eE]")) then
    fail(s, pos, "bad number")
  end
  local v = num:find("[.eE]") and tonumber(num) or math.tointeger(tonumber(num))
    or tonumber(num .. ".0")
  return v, pos + #num
end

local function decode_container(s, pos, close, depth)
  if depth > 200 then fail(s, pos, "nesting too deep") end
  local t, n = {}, 0
  pos = skip(s, pos + 1)
  if s:sub(pos, pos) == close then return close == "}" and M.object(t) or t, pos + 1 end
  while true do
    local v
    if close == "}" then
      if s:sub(pos, pos) ~= '"' then fail(s, pos, "expected a member name") end
      local k
      k, pos = decode_string(s, pos)
      pos = skip(s, pos)
      if s:sub(pos, pos) ~= ":" then fail(s, pos, "expected ':'") end
      v, pos = decode_value(s, skip(s, pos + 1), depth + 1)
      t[k] = v
    else
      v, pos = decode_value(s, pos, depth + 1)
      n = n + 1
      t[n] = v
    end
    pos = skip(s, pos)
    local c = s:sub(pos, pos)
    if c == close then return t, pos + 1 end
    if c ~= "," then fail(s, pos, "expected ',' or '" .. close .. "'") end
    pos = skip(s, pos + 1)
  end
end

decode_value = function(s, pos, depth)
  pos = skip(s, pos)
  local c = s:sub(pos, pos)
  if c == "{" then return decode_container(s, pos, "}", depth) end
  if c == "[" then return decode_container(s, pos, "]", depth) end
  if c == '"' then return decode_string(s, pos) end
  if c == "-" or c:match("%d") then return decode_number(s, pos) end
  for word, v in pairs{["true"] = true, ["false"] = false, null = M.null} do
    if s:sub(pos, pos + #word - 1) == word then return v, pos + #word end
  end
  fail(s, pos, c == "" and "unexpected end of text" or "unexpected character")
end

-- json.decode(text) -> value, or nil, message (naming the position) for malformed text.
function M.decode(s)
  if type(s) ~= "string" then
    error("bad argument #1 to 'decode' (string expected, got " .. type(s) .. ")", 2)
  end
  local ok, v, pos = pcall(decode_value, s, 1, 0)
  if ok then
    pos = skip(s, pos)
    if pos <= #s then
      return nil, ("json.decode: trailing characters at position %d"):format(pos)
    end
    return v
  end
  if type(v) == "table" then return nil, v.msg end
  error(v, 0)
end

return M
