-- sfew.data.read_csv: the SFEW feature table layout (two-line quoted header), CRLF,
-- quoted commas, errors naming file, line and column, dropping bad rows, duplicates.
local sfew = require "sfew"
local h = require "helpers"
local data = sfew.data

describe("sfew.data", function()
  local dir
  setup(function() dir = h.tmpdir() end)
  teardown(function() h.rmdir(dir) end)

  local function csv(name, text)
    local path = dir .. "/" .. name
    local f = assert(io.open(path, "wb")); f:write(text); f:close()
    return path
  end
  local header = ',label,"A, first\nheader",B,C\n'

  describe(".read_csv", function()
    it("reads the SFEW feature table layout", function()
      local ds = assert(data.read_csv(h.root .. "/tests/fixtures/sfew_features_layout.csv",
                                      { quiet = true }))
      assert.are.equal(21, #ds)
      assert.are.same({ 21, 10 }, ds.x:shape())
      assert.are.same({ 1, 2, 3, 4, 5, 6, 7 }, { table.unpack(ds.y:flat(), 1, 7) })
      assert.are.equal("Film05_274281998_00000094.mat", ds.names[1])
      assert.are.equal(10, #ds.columns)
      assert.matches("LPQ", ds.columns[1])
      assert.are.equal(3, ds.lines[1]) -- the header spans lines 1 and 2
      assert.is_true(math.abs(ds.x:get(1, 1) - -4.8263283857e-03) < 1e-9)
      assert.are.same({ 3, 3, 3, 3, 3, 3, 3 }, ds.counts)
    end)
    it("reads CRLF line ends and quoted commas and quotes", function()
      local lf = csv("lf.csv", header .. '"x, ""y""",2,1,2,3\nz,3,4,5,6\n')
      local crlf = csv("crlf.csv", (header .. '"x, ""y""",2,1,2,3\nz,3,4,5,6'):gsub("\n", "\r\n"))
      local a, b = assert(data.read_csv(lf)), assert(data.read_csv(crlf))
      assert.are.same({ 1, 2, 3, 4, 5, 6 }, a.x:flat())
      assert.are.same(a.x:flat(), b.x:flat())
      assert.are.equal('x, "y"', a.names[1])
      assert.are.same({ 2, 3 }, b.y:flat())
      assert.are.same({ 3, 4 }, b.lines)
    end)
    it("names file, line and column for bad cells", function()
      local cases = {
        { "a,1,1,2,3\nb,2,,5,6\n", "line 4, column 3: empty cell" },
        { "a,1,1,2,3\nb,2,4,five,6\n", "line 4, column 4: not a number" },
        { "a,1,1,2,3\nb,2,4,5,nan\n", "line 4, column 5: NaN or Inf" },
        { "a,1,1,2,3\nb,2,4,5\n", "line 4: 4 fields, the header has 5" },
        { "a,9,1,2,3\n", "line 3, column 2 %(label%): label out of range" },
        { 'a,1,"1,2,3\n', "line 3: bad quoting" },
      }
      for i, c in ipairs(cases) do
        local path = csv("bad" .. i .. ".csv", header .. c[1])
        local ds, msg = data.read_csv(path)
        assert.is_nil(ds)
        assert.matches("bad" .. i .. ".csv", msg, 1, true)
        assert.matches(c[2], msg)
      end
    end)
    it("drops bad rows with na = 'drop' and reports how many", function()
      local path = csv("drop.csv", header .. "a,1,1,2,3\nb,2,,5,6\nc,3,inf,1,1\nd,4,7,8,9\n")
      local ds = assert(data.read_csv(path, { na = "drop", quiet = true }))
      assert.are.equal(2, #ds)
      assert.are.equal(2, ds.dropped)
      assert.are.equal(4, ds.first_dropped_line)
      assert.are.same({ "a", "d" }, ds.names)
    end)
    it("reports names repeated with different labels", function()
      local path = csv("dup.csv", header .. "a,1,1,2,3\na,2,1,2,3\nb,3,1,2,3\nb,3,1,2,3\n")
      local ds = assert(data.read_csv(path, { quiet = true }))
      assert.are.same({ "a" }, ds.duplicates)
    end)
    it("takes the label and dropped columns by name or number", function()
      local path = csv("cols.csv", "id,f1,f2,cls\nr1,1,2,3\nr2,4,5,6\n")
      local ds = assert(data.read_csv(path, { label = "CLS", drop = { 3 } }))
      assert.are.same({ 1, 4 }, ds.x:flat())
      assert.are.same({ 3, 6 }, ds.y:flat())
      assert.are.same({ "f1" }, ds.columns)
      local nohead = csv("nohead.csv", "5,1,2\n6,3,4\n")
      ds = assert(data.read_csv(nohead, { header = false, label = 1, nclasses = 9 }))
      assert.are.same({ 1, 2, 3, 4 }, ds.x:flat())
      assert.are.same({ 5, 6 }, ds.y:flat())
    end)
    it("raises on bad arguments and returns nil for a missing file", function()
      local ok, msg = pcall(data.read_csv, {})
      assert.is_false(ok); assert.matches("bad argument #1", msg)
      local path = csv("ok.csv", header .. "a,1,1,2,3\n")
      ok, msg = pcall(data.read_csv, path, { na = "maybe" })
      assert.is_false(ok); assert.matches("bad argument #2", msg)
      ok, msg = pcall(data.read_csv, path, { label = "nosuch" })
      assert.is_false(ok); assert.matches("no column named", msg)
      local ds, err = data.read_csv(dir .. "/missing.csv")
      assert.is_nil(ds); assert.matches("missing.csv", err)
    end)
  end)
end)
