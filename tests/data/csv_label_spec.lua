-- sfew.data.read_csv and the label column: the column headed "label" by default, another
-- one or none only when asked; a table without one is refused, not silently relabelled.
local sfew = require "sfew"
local h = require "helpers"
local data = sfew.data

describe("sfew.data", function()
  describe(".read_csv label column", function()
    local dir
    before_each(function() dir = h.tmpdir() end)
    after_each(function() h.rmdir(dir) end)

    local function csv(text)
      local path = dir .. "/t.csv"
      local f = assert(io.open(path, "w"))
      f:write(text)
      f:close()
      return path
    end

    it("refuses a table with no 'label' column unless told which one", function()
      local path = csv("name,a,b,c\nx,1,2,3\ny,2,5,6\n")
      local ok, err = pcall(function() local ds = data.read_csv(path) return ds end)
      assert.is_false(ok)
      assert.matches("csv_label_spec.lua:%d+: bad argument #2 to 'read_csv' %('.*t.csv' has no "
        .. "column headed 'label'", err)
      assert.matches("{label = false}", err, 1, true)
      ok = pcall(data.read_csv, path, { quiet = true })
      assert.is_false(ok)
    end)

    it("reads no labels with label = false and a named column with label = name", function()
      local path = csv("name,a,b,c\nx,1,2,3\ny,2,5,6\n")
      local ds = assert(data.read_csv(path, { label = false }))
      assert.is_nil(ds.y)
      assert.are.same({ 1, 2, 3, 2, 5, 6 }, ds.x:flat())
      ds = assert(data.read_csv(path, { label = "a" }))
      assert.are.same({ 1, 2 }, ds.y:flat())
      assert.are.same({ 2, 3, 5, 6 }, ds.x:flat())
    end)

    it("needs the label named for a table without a header", function()
      local path = csv("x,1,2,3\ny,2,5,6\n")
      assert.is_false((pcall(data.read_csv, path, { header = false })))
      local ds = assert(data.read_csv(path, { header = false, label = 2 }))
      assert.are.same({ 1, 2 }, ds.y:flat())
    end)

    it("takes the column headed 'label' by default (the SFEW layout)", function()
      local ds = assert(data.read_csv(h.root .. "/tests/fixtures/sfew_features_layout.csv",
        { quiet = true }))
      assert.are.same({ 21, 10 }, ds.x:shape())
      assert.are.equal(21, ds.y:numel())
    end)
  end)
end)
