-- Reliability: every file in tests/fixtures/bad/ (made by make.lua there) is refused through
-- the file-trouble channel (nil, message) with a message naming the file and the problem,
-- and the regression inputs the fuzzers found (tests/fuzz/regressions/) stay harmless.
local sfew = require "sfew"
local h = require "helpers"
local core_data = require "sfew.core.data"

local bad = h.root .. "/tests/fixtures/bad/"

-- Calls f(path, ...) and checks it returns nil and a message naming the file that matches
-- each of the patterns (plain text, not Lua patterns).
local function refuses(f, name, texts, ...)
  local path = bad .. name
  local v, msg = f(path, ...)
  assert.is_nil(v, name .. " was accepted")
  assert.is_string(msg)
  assert.is_truthy(msg:find(path, 1, true), "message does not name the file: " .. msg)
  for _, text in ipairs(texts) do
    assert.is_truthy(msg:find(text, 1, true), ("'%s' not in: %s"):format(text, msg))
  end
end

describe("bad inputs", function()
  describe("images (data.load_image)", function()
    local cases = {
      { "empty.png", { "is empty" } },
      { "empty.jpg", { "is empty" } },
      { "truncated.png", { "truncated or corrupt PNG data (chunk 'IDAT' claims 161 bytes" } },
      { "truncated.jpg", { "truncated or corrupt JPEG data" } },
      -- Debian's stb_image aborted on this one (a Huffman assertion): libjpeg reads JPEGs
      { "huffman.jpg", { "truncated or corrupt JPEG data (libjpeg: " } },
      { "fill.jpg", { "Not a JPEG file: starts with 0xff 0xff" } }, -- stb took it as one
      { "huge.png", { "is 20000x20000, over the limit of 67108864 pixels" } },
      { "text.png", { "is not a readable image: no known format" } },
      { "bomb.png", { "corrupt PNG data (inflates past the 1392 bytes its header allows)" } },
    }
    for _, c in ipairs(cases) do
      it("refuses " .. c[1] .. " at its own size and resized", function()
        refuses(sfew.data.load_image, c[1], c[2])
        refuses(sfew.data.load_image, c[1], c[2], { width = 9, height = 7, gray = true })
      end)
    end
    it("refuses an image over a caller's lower pixel limit before decoding", function()
      local p = bad .. "../../fuzz/corpus/image/rgb.png"
      local v, msg = sfew.data.load_image(p, { max_pixels = 10 })
      assert.is_nil(v)
      assert.matches("over the limit of 10 pixels", msg, 1, true)
    end)
    it("skips the bad ones in load_images with skip_bad, naming the first otherwise", function()
      local paths = { bad .. "text.png", bad .. "../../fuzz/corpus/image/rgb.png" }
      local v, msg = core_data.load_images(paths, { width = 4, height = 3 })
      assert.is_nil(v)
      assert.is_truthy(msg:find(bad .. "text.png", 1, true))
      local x, kept, nbad = core_data.load_images(paths, { width = 4, height = 3, skip_bad = true })
      assert.are.same({ 1, 1, 3, 4 }, x:shape())
      assert.are.same({ false, true }, kept)
      assert.are.equal(1, nbad)
    end)
  end)

  describe("folders (data.image_folder)", function()
    it("refuses a folder with no class folders", function()
      refuses(sfew.data.image_folder, "no_classes", { "no class folders" })
    end)
    it("refuses a folder that does not exist", function()
      local v, msg = sfew.data.image_folder(bad .. "nowhere")
      assert.is_nil(v)
      assert.is_truthy(msg:find("nowhere", 1, true))
    end)
  end)

  describe("CSV tables (data.read_csv)", function()
    it("refuses a ragged row", function()
      refuses(sfew.data.read_csv, "ragged.csv", { "line 3: 3 fields, the header has 4" })
    end)
    it("refuses a NaN", function()
      refuses(sfew.data.read_csv, "nan.csv", { "line 3, column 3: NaN or Inf" })
    end)
    it("refuses a missing value", function()
      refuses(sfew.data.read_csv, "missing.csv", { "line 3, column 3: empty cell" })
    end)
    it("refuses an unterminated quoted field", function()
      refuses(sfew.data.read_csv, "quoted.csv", { "line 3: bad quoting" })
    end)
    it("reads well-quoted fields (commas and doubled quotes inside quotes)", function()
      local ds = assert(sfew.data.read_csv(h.root .. "/tests/fuzz/corpus/csv/quoted.csv"))
      assert.are.same({ "n, 1", 'say "hi"' }, ds.names)
      assert.are.same({ 4.5, 1, 1, 2 }, ds.x:flat())
    end)
    it("drops the bad rows with na = 'drop' and says how many", function()
      local ds = assert(sfew.data.read_csv(bad .. "nan.csv", { na = "drop", quiet = true }))
      assert.are.equal(1, #ds)
      assert.are.equal(1, ds.dropped)
    end)
  end)

  describe("IDX files (read_idx)", function()
    it("refuses a wrong magic number", function()
      refuses(core_data.read_idx, "magic.idx1", { "has magic number 00000d01, want 00000801" }, 1)
    end)
    it("refuses a file of another dimension count", function()
      refuses(core_data.read_idx, "magic.idx1", { "want 00000803" }, 3)
    end)
    it("refuses a short body", function()
      refuses(core_data.read_idx, "short.idx3", { "is too short: the data ends early" }, 3)
    end)
    it("refuses a header claiming 2^47 bytes before allocating", function()
      refuses(core_data.read_idx, "huge.idx3", { "bad size 60000 in dimension 2" }, 3)
    end)
  end)

  describe("safetensors checkpoints (io.load)", function()
    it("refuses a header length past the end of the file", function()
      refuses(sfew.io.load, "past_end.safetensors", { "header length 4096 runs past the end" })
    end)
    it("refuses overlapping offsets", function()
      refuses(sfew.io.load, "overlap.safetensors", { "'a' and 'b' have overlapping data_offsets" })
    end)
    it("refuses an unknown dtype", function()
      refuses(sfew.io.load, "dtype.safetensors", { "unsupported dtype 'Q4'" })
    end)
    it("refuses a shape that does not match its bytes", function()
      refuses(sfew.io.load, "shape.safetensors", { "shape 3x2 needs 24 bytes of F32",
                                                   "offsets give 16" })
    end)
    it("refuses a shape of 2^32 elements whatever its offsets say", function()
      refuses(sfew.io.load, "big.safetensors", { "shape 65536x65536" })
    end)
    it("refuses a tensor above max_bytes unless the caller raises it", function()
      local p = h.root .. "/tests/fuzz/corpus/safetensors/good.safetensors"
      local v, msg = sfew.io.load(p, { max_bytes = 16 })
      assert.is_nil(v)
      assert.is_truthy(msg:find("above the limit of 16 (raise max_bytes)", 1, true))
      assert.is_truthy(sfew.io.load(p, { max_bytes = 24 }))
    end)
  end)

  describe("network checkpoints (nn.load)", function()
    it("refuses a checkpoint without a network spec, or with a spec it cannot build", function()
      local p = h.root .. "/tests/fuzz/corpus/safetensors/good.safetensors"
      local v, msg = sfew.nn.load(p)
      assert.is_nil(v)
      assert.is_truthy(msg:find(p .. "' holds no network spec", 1, true))
      local dir = h.tmpdir()
      local q = dir .. "/net.safetensors"
      assert(sfew.nn.Sequential { sfew.nn.Linear(2, 3) }:save(q))
      local ts, meta = assert(sfew.io.load(q))
      meta["sfew.spec"] = meta["sfew.spec"]:gsub('"in_features":2', '"in_features":-1')
      assert(sfew.io.save(q, ts, meta))
      v, msg = sfew.nn.load(q)
      h.rmdir(dir)
      assert.is_nil(v)
      assert.is_truthy(msg:find(q .. "': bad sfew.spec (nn.build: layer 1: Linear: bad argument "
        .. "#1 to 'Linear' (size must be positive))", 1, true), msg)
    end)
  end)

  describe("fuzz regressions", function()
    local function each(target)
      local dir = h.root .. "/tests/fuzz/regressions/" .. target
      local names = sfew.data.list_dir(dir) or {}
      local out = {}
      for _, n in ipairs(names) do out[#out + 1] = dir .. "/" .. n end
      return out
    end
    it("gives a clean error for every IDX input the fuzzer found", function()
      for _, p in ipairs(each("idx")) do
        for _, nd in ipairs { 1, 3 } do
          local v, msg = core_data.read_idx(p, nd)
          if v == nil then assert.is_truthy(msg:find(p, 1, true)) end
        end
      end
    end)
    it("gives a clean error for every image input the fuzzer found", function()
      for _, p in ipairs(each("image")) do
        local v, msg = sfew.data.load_image(p, { width = 9, height = 7 })
        if v == nil then assert.is_truthy(msg:find(p, 1, true)) end
      end
    end)
    it("gives a clean error for every CSV and safetensors input the fuzzer found", function()
      for _, p in ipairs(each("csv")) do
        local v, msg = sfew.data.read_csv(p, { quiet = true })
        if v == nil then assert.is_string(msg) end
      end
      for _, p in ipairs(each("safetensors")) do
        local v, msg = sfew.io.load(p)
        if v == nil then assert.is_truthy(msg:find(p, 1, true)) end
      end
    end)
  end)
end)
