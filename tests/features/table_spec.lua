-- sfew.features tables: class information in the columns, the CSV layout, the tool.
local sfew = require "sfew"
local tensor = sfew.tensor
local features = require "sfew.features"
local h = require "helpers"

-- n images per class of 32 x 32 noisy stripes: class 1 vertical, class 2 horizontal,
-- with random frequency and phase.
local function stripes(n, rng)
  local flat, y, paths = {}, {}, {}
  for k = 1, 2 * n do
    local class = (k - 1) % 2 + 1
    local f, ph = rng:uniform(0.08, 0.2), rng:uniform(0, 2 * math.pi)
    for i = 0, 31 do
      for j = 0, 31 do
        local t = class == 1 and j or i
        flat[#flat + 1] = 0.5 + 0.3 * math.sin(2 * math.pi * f * t + ph) + rng:normal(0, 0.1)
      end
    end
    y[k], paths[k] = class, ("root/%d/img%d.png"):format(class, k)
  end
  return { x = tensor.new({ 2 * n, 1, 32, 32 }, flat), y = tensor.new({ 2 * n }, y),
           paths = paths }
end

-- Accuracy of nearest centroids fitted on rows 1..m, tested on the rest.
local function nearest_centroid(x, y, m)
  local rows, labels = x:totable(), y:flat()
  local sums, counts = { {}, {} }, { 0, 0 }
  for i = 1, m do
    local c = labels[i]
    counts[c] = counts[c] + 1
    for j, v in ipairs(rows[i]) do sums[c][j] = (sums[c][j] or 0) + v end
  end
  local right = 0
  for i = m + 1, #rows do
    local best, best_d = nil, math.huge
    for c = 1, 2 do
      local d = 0
      for j, v in ipairs(rows[i]) do d = d + (v - sums[c][j] / counts[c]) ^ 2 end
      if d < best_d then best, best_d = c, d end
    end
    if best == labels[i] then right = right + 1 end
  end
  return right / (#rows - m)
end

describe("sfew.features", function()
  describe(".table", function()
    it("builds columns that separate two textures far better than chance", function()
      local ds = stripes(20, sfew.rng(11))
      local fit = {}
      for i = 1, 24 do fit[i] = i end
      local tbl = features.table(ds, { fit = fit })
      assert.are.same({ 40, 10 }, tbl.x:shape())
      assert.are.same({ "lpq1", "lpq2", "lpq3", "lpq4", "lpq5",
                        "phog1", "phog2", "phog3", "phog4", "phog5" }, tbl.columns)
      assert.are.equal("img1.png", tbl.names[1])
      assert.is_true(nearest_centroid(tbl.x, ds.y, 24) >= 0.9)
    end)

    it("raises on something that is not a dataset", function()
      local ok, msg = pcall(features.table, { y = 1 })
      assert.is_false(ok)
      assert.matches("bad argument #1", msg)
      ok, msg = pcall(features.table, stripes(1, sfew.rng(1)), 5)
      assert.is_false(ok)
      assert.matches("bad argument #2", msg)
    end)
  end)

  describe(".write_csv", function()
    it("writes SFEW's layout, quoting names that need it", function()
      local dir = h.tmpdir()
      local tbl = { x = tensor.new({ 2, 2 }, { 1.5, -0.25, 0.001, 2 }),
                    y = tensor.new({ 2 }, { 3, 7 }),
                    names = { "a.mat", 'odd, "name"' }, columns = { "lpq1", "phog1" } }
      assert.is_true(features.write_csv(dir .. "/t.csv", tbl))
      local text = assert(io.open(dir .. "/t.csv")):read("a")
      assert.are.equal(",label,lpq1,phog1\n"
        .. "a.mat,3,1.5000000000E+00,-2.5000000000E-01\n"
        .. '"odd, ""name""",7,1.0000000475E-03,2.0000000000E+00\n', text)
      assert.is_nil(io.open(dir .. "/t.csv.tmp"))
      local data = require "sfew.data"
      if data.read_csv then
        local back = assert(data.read_csv(dir .. "/t.csv"))
        assert.are.same({ 3, 7 }, back.y:flat())
        assert.are.equal(-0.25, back.x:get(1, 2))
      end
      h.rmdir(dir)
    end)

    it("returns nil and a message when the file cannot be written", function()
      local tbl = { x = tensor.zeros{ 1, 1 }, columns = { "a" } }
      local ok, msg = features.write_csv("/nonexistent/dir/t.csv", tbl)
      assert.is_nil(ok)
      assert.is_string(msg)
    end)

    it("raises on a bad path or table", function()
      local ok, msg = pcall(features.write_csv, 3, {})
      assert.is_false(ok)
      assert.matches("bad argument #1", msg)
      ok, msg = pcall(features.write_csv, "x.csv", { x = 1 })
      assert.is_false(ok)
      assert.matches("bad argument #2", msg)
    end)
  end)

  describe("tools/features.lua", function()
    it("prints its usage on --help and fails without a folder", function()
      local ok, out = h.run{ h.root .. "/tools/features.lua", "--help" }
      assert.is_true(ok)
      assert.matches("DIR OUT.csv", out)
      local bad, _, err = h.run{ h.root .. "/tools/features.lua", "only-one" }
      assert.is_false(bad)
      assert.matches("expected DIR and OUT.csv", err)
      bad, _, err = h.run{ h.root .. "/tools/features.lua", "a", "b", "--k", "x" }
      assert.is_false(bad)
      assert.matches("needs an integer", err)
    end)
  end)
end)
