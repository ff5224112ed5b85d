-- sfew.io: safetensors files written by independent code, round trips, corrupt files
-- (each refused with a message naming the file and the problem), and crash-safe saving.
local sfew = require "sfew"
local h = require "helpers"
local sio, tensor = sfew.io, sfew.tensor

-- Writes a file from a header (a Lua string of JSON) and raw data bytes.
local function write_raw(path, header, data, len)
  local f = assert(io.open(path, "wb"))
  f:write(string.pack("<I8", len or #header), header, data or "")
  f:close()
end

local function f32(...)
  local vals = table.pack(...)
  local out = {}
  for i = 1, vals.n do out[i] = string.pack("<f", vals[i]) end
  return table.concat(out)
end

local function same_f32(a, b)
  return string.pack("<f", a) == string.pack("<f", b)
end

describe("sfew.io", function()
  local dir
  before_each(function() dir = h.tmpdir() end)
  after_each(function() h.rmdir(dir) end)

  describe(".load", function()
    it("reads a file written by the reference writer exactly", function()
      local fx = h.fixture("torch/safetensors.lua")
      local ts, meta = sio.load(h.root .. "/tests/fixtures/torch/small.safetensors")
      assert.are.same(fx.metadata, meta)
      local n = 0
      for name, want in pairs(fx.tensors) do
        n = n + 1
        local t = ts[name]
        assert.are.same(want.shape, t:shape())
        local got = t:flat()
        for i = 1, #want.data do
          assert(same_f32(got[i], want.data[i]), name .. " element " .. i)
        end
      end
      local m = 0
      for _ in pairs(ts) do m = m + 1 end
      assert.are.equal(n, m)
    end)

    it("converts F16, BF16, F64, I32 and I64 to float32", function()
      local p = dir .. "/mixed.safetensors"
      local hdr = '{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},'
        .. '"b":{"dtype":"BF16","shape":[1],"data_offsets":[4,6]},'
        .. '"d":{"dtype":"F64","shape":[1],"data_offsets":[6,14]},'
        .. '"i":{"dtype":"I32","shape":[1],"data_offsets":[14,18]},'
        .. '"l":{"dtype":"I64","shape":[1],"data_offsets":[18,26]}}'
      local data = string.pack("<I2I2", 0x3C00, 0xC000) .. string.pack("<I2", 0x3FC0)
        .. string.pack("<d", 0.25) .. string.pack("<i4", -7) .. string.pack("<i8", 1 << 40)
      write_raw(p, hdr, data)
      local ts = assert(sio.load(p))
      assert.are.same({1, -2}, ts.h:flat())
      assert.are.equal(1.5, ts.b:item())
      assert.are.equal(0.25, ts.d:item())
      assert.are.equal(-7, ts.i:item())
      assert.are.equal(2 ^ 40, ts.l:item())
    end)

    local function refused(name, header, data, pattern, len, opts)
      it("refuses " .. name, function()
        local p = dir .. "/bad.safetensors"
        write_raw(p, header, data, len)
        local ts, msg = sio.load(p, opts)
        assert.is_nil(ts)
        assert.matches(p, msg, 1, true)
        assert.matches(pattern, msg)
      end)
    end
    local one = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'
    refused("a truncated file", one, f32(1), "out of range")
    refused("a header length past the end", one, f32(1, 2), "past the end", 1000)
    it("refuses a file too short for the header length", function()
      local p = dir .. "/short.safetensors"
      local f = assert(io.open(p, "wb")); f:write("\1\0\0"); f:close()
      local ts, msg = sio.load(p)
      assert.is_nil(ts)
      assert.matches("short.safetensors': file too short", msg, 1, true)
    end)
    refused("an empty header", "", "", "not valid JSON")
    refused("a header that is not JSON", '{"w":{"dtype":"F32",}}', "", "not valid JSON")
    refused("overlapping offsets",
      '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
        .. '"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}',
      f32(1, 2, 3), "overlapping")
    refused("offsets out of range",
      '{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}', f32(1, 2), "out of range")
    refused("an unknown dtype",
      '{"w":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}', f32(1, 2), "dtype 'C64'")
    refused("a shape that does not match its bytes",
      '{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', f32(1, 2), "needs 12 bytes")
    refused("a metadata value that is not a string",
      '{"__metadata__":{"epoch":3}}', "", "not a string")
    refused("a negative size",
      '{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}', "", "non%-negative")
    refused("a tensor above the size limit",
      '{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', f32(1, 2, 3, 4),
      "above the limit", nil, {max_bytes = 8})
    refused("an absurd shape",
      '{"w":{"dtype":"F32","shape":[1000000,1000000,1000000],"data_offsets":[0,8]}}',
      f32(1, 2), "w")

    refused("a repeated tensor name",
      '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
        .. '"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', f32(1, 2), "appears twice")
    refused("offsets beyond 64 bits",
      '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,99999999999999999999]}}', f32(1),
      "data_offsets")
    refused("a header that is a list", "[1, 2]      ", "", "not a JSON object")
    refused("deep nesting", ("["):rep(5000), "", "not valid JSON")
    refused("trailing text after the header", '{} x', "", "trailing")

    it("never crashes on randomly corrupted headers", function()
      local f = assert(io.open(h.root .. "/tests/fixtures/torch/small.safetensors", "rb"))
      local good = f:read("a")
      f:close()
      local rng, p = sfew.rng(3), dir .. "/fuzz.safetensors"
      for _ = 1, 300 do
        local bytes = {good:byte(1, 300)}
        for _ = 1, 1 + rng:random(3) do
          bytes[rng:random(#bytes)] = rng:random(256) - 1
        end
        local out = assert(io.open(p, "wb"))
        out:write(string.char(table.unpack(bytes)), good:sub(301))
        out:close()
        local ts, msg = sio.load(p)
        assert(ts or msg:find(p, 1, true), msg)
      end
    end)

    it("returns nil and a message for a missing file", function()
      local ts, msg = sio.load(dir .. "/none.safetensors")
      assert.is_nil(ts)
      assert.matches("none.safetensors", msg)
    end)
    it("raises on bad arguments", function()
      local ok, msg = pcall(sio.load, 5)
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'load'", msg)
      ok, msg = pcall(sio.load, "x", {max_bytes = -1})
      assert.is_false(ok)
      assert.matches("bad argument #2 to 'load'", msg)
    end)
  end)

  describe(".save", function()
    it("round-trips tensors and metadata with an aligned header", function()
      local p = dir .. "/rt.safetensors"
      local a = tensor.randn({3, 4}, sfew.rng(1))
      local e = tensor.zeros{0}
      assert.is_true(sio.save(p, {a = a, ["x.empty"] = e, s = tensor.new({}, {5})},
        {note = 'quote " and \\ and \n'}))
      local ts, meta = assert(sio.load(p))
      assert.are.same(a:flat(), ts.a:flat())
      assert.are.same({0}, ts["x.empty"]:shape())
      assert.are.equal(5, ts.s:item())
      assert.are.same({note = 'quote " and \\ and \n'}, meta)
      local f = assert(io.open(p, "rb"))
      local len = string.unpack("<I8", f:read(8))
      f:close()
      assert.are.equal(0, len % 8)
    end)
    it("returns nil and a message naming the file when it cannot write", function()
      local ok, msg = sio.save(dir .. "/no/such/dir/x.safetensors", {a = tensor.zeros{1}})
      assert.is_nil(ok)
      assert.matches("no/such/dir/x.safetensors", msg, 1, true)
    end)
    it("raises on bad arguments", function()
      local cases = {
        {{5, {}}, "#1"}, {{"p", 5}, "#2"}, {{"p", {a = 5}}, "#2"},
        {{"p", {[1] = tensor.zeros{1}}}, "#2"}, {{"p", {}, {a = 1}}, "#3"},
      }
      for _, c in ipairs(cases) do
        local ok, msg = pcall(sio.save, table.unpack(c[1]))
        assert.is_false(ok)
        assert.matches("bad argument " .. c[2] .. " to 'save'", msg)
      end
    end)
    it("leaves the previous file intact when the saving process is killed", function()
      local p = dir .. "/keep.safetensors"
      assert(sio.save(p, {w = tensor.full({4}, 7)}))
      local script = ("local s = require 'sfew'; local t = s.tensor.ones{2000000}; "
        .. "for _ = 1, 200 do s.io.save(%q, {w = t}) end"):format(p)
      local pidf = dir .. "/pid"
      os.execute(("%s -e %s >/dev/null 2>&1 & echo $! > %s"):format(
        h.quote(h.sfewlua), h.quote(script), h.quote(pidf)))
      local pid = assert(io.open(pidf)):read("l")
      os.execute("sleep 0.3; kill -9 " .. pid .. " 2>/dev/null; sleep 0.05")
      local ts = assert(sio.load(p))
      local n = ts.w:numel()
      assert(n == 4 or n == 2000000, "unexpected size " .. n)
      assert.are.equal(n == 4 and 28 or 2000000, ts.w:sum())
    end)
  end)
end)
