-- sfew.data Dataset: length, subsets, shuffling, random and stratified splits,
-- normalisation with training statistics, minibatches.
local sfew = require "sfew"
local data, tensor = sfew.data, sfew.tensor

-- 20 samples of 2 x 1 x 3 with value i in every pixel; labels 1..4 cycling, 4 as a
-- minority (2 of them).
local function make()
  local x, y = {}, {}
  local labels = { 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 4, 4 }
  for i = 1, 20 do
    for _ = 1, 3 do x[#x + 1] = i end
    y[i] = labels[i]
  end
  local paths = {}
  for i = 1, 20 do paths[i] = "p" .. i end
  return data.Dataset.new { x = tensor.new({ 20, 1, 1, 3 }, x), y = tensor.new({ 20 }, y),
                            paths = paths, classes = { "a", "b", "c", "d" } }
end

describe("sfew.data", function()
  describe("Dataset", function()
    it("has a length, counts and a subset that keeps paths with rows", function()
      local ds = make()
      assert.are.equal(20, #ds)
      assert.are.same({ 6, 6, 6, 2 }, ds.counts)
      local s = ds:subset { 3, 1 }
      assert.are.same({ 3, 1 }, s.y:flat())
      assert.are.same({ "p3", "p1" }, s.paths)
      assert.are.equal(3, s.x:get(1, 1, 1, 1))
      assert.matches("20 samples", tostring(ds))
    end)
    it("shuffles in place, the same for the same seed", function()
      local a, b = make():shuffle(sfew.rng(4)), make():shuffle(sfew.rng(4))
      assert.are.same(a.paths, b.paths)
      assert.are_not.same(make().paths, a.paths)
      for i = 1, 20 do assert.are.equal("p" .. a.x:get(i, 1, 1, 1), a.paths[i]) end
    end)
    it("splits at random and stratified", function()
      local train, test = make():split(0.75, sfew.rng(1))
      assert.are.equal(15, #train)
      assert.are.equal(5, #test)
      local st, ste = make():split(0.5, sfew.rng(1), { stratified = true })
      assert.are.same({ 3, 3, 3, 1 }, st.counts)
      assert.are.same({ 3, 3, 3, 1 }, ste.counts)
    end)
    it("normalises with the training statistics", function()
      local train, test = make():split(0.5, sfew.rng(2))
      local stats = train:normalize()
      assert.is_true(math.abs(train.x:mean()) < 1e-5)
      local again = test:normalize(stats)
      assert.are.equal(stats, again)
      local t2 = make():subset { 1 }
      t2:normalize(stats)
      assert.is_true(math.abs(t2.x:get(1, 1, 1, 1) - (1 - stats.mean) / stats.std) < 1e-5)
    end)
    it("normalises tables per column", function()
      local ds = data.Dataset.new { x = tensor.new({ 3, 2 }, { 1, 10, 2, 20, 3, 30 }),
                                    y = tensor.new({ 3 }, { 1, 2, 3 }) }
      local stats = ds:normalize()
      assert.are.same({ 2, 20 }, stats.mean)
      local col = ds.x:mean(1):flat()
      assert.is_true(math.abs(col[1]) < 1e-6 and math.abs(col[2]) < 1e-6)
      assert.is_true(math.abs(ds.x:get(3, 2) - math.sqrt(1.5)) < 1e-5)
    end)
    it("iterates over shuffled minibatches covering every sample once", function()
      local ds, seen, sizes = make(), {}, {}
      for x, y in ds:batches(8, sfew.rng(3)) do
        sizes[#sizes + 1] = y:numel()
        assert.are.equal(y:numel(), x:size(1))
        for i = 1, x:size(1) do seen[x:get(i, 1, 1, 1)] = true end
      end
      assert.are.same({ 8, 8, 4 }, sizes)
      for i = 1, 20 do assert.is_true(seen[i]) end
    end)
    it("raises on bad arguments", function()
      local ds = make()
      local ok, msg = pcall(ds.split, ds, 2)
      assert.is_false(ok); assert.matches("bad argument #1", msg)
      ok, msg = pcall(ds.split, ds, 0.5, "rng")
      assert.is_false(ok); assert.matches("bad argument #2", msg)
      ok, msg = pcall(ds.batches, ds, 0)
      assert.is_false(ok); assert.matches("bad argument #1", msg)
      ok, msg = pcall(ds.subset, ds, { 21 })
      assert.is_false(ok); assert.matches("bad argument #1", msg)
      ok, msg = pcall(ds.normalize, ds, 5)
      assert.is_false(ok); assert.matches("bad argument #1", msg)
      ok, msg = pcall(ds.shuffle, ds, 5)
      assert.is_false(ok); assert.matches("bad argument #1", msg)
      assert.has_error(function() data.Dataset.new { x = 1 } end)
    end)
  end)
end)
