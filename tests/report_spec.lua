-- sfew.report and sfew.progress: tables, atomic files, progress lines.
local report = require "sfew.report"
local progress = require "sfew.progress"
local h = require "helpers"

describe("report", function()
  local rows = { { units = 10, loss = 0.0123456 }, { units = 9, loss = 1.5 } }
  local cols = { { "units", "Units" }, { "loss", "Loss", "%.4f" } }
  it("aligns text tables", function()
    local t = report.text(rows, cols)
    assert.matches("Units    Loss\n", t)
    assert.matches("   10  0.0123\n", t)
  end)
  it("writes Markdown tables", function()
    local md = report.markdown(rows, cols)
    assert.matches("| Units | Loss |\n|%-%-%-:|%-%-%-:|\n| 10 | 0.0123 |", md)
  end)
  it("writes files through a rename", function()
    local dir = h.tmpdir()
    assert.is_true(report.write_atomic(dir .. "/a.txt", "hello"))
    assert.are.equal("hello", io.open(dir .. "/a.txt"):read("a"))
    local ok, err = report.write_atomic(dir .. "/missing/a.txt", "x")
    assert.is_nil(ok)
    assert.is_string(err)
    h.rmdir(dir)
  end)
  it("computes mean and spread", function()
    local m, s = report.mean_std({ 1, 2, 3 })
    assert.are.equal(2, m)
    assert.are.equal(1, s)
  end)
  it("plucks a field out of records, skipping those without it", function()
    assert.are.same({ 1, 3 }, report.pluck({ { a = 1 }, { b = 2 }, { a = 3 } }, "a"))
    assert.are.same({ 1, 0, 3 }, report.pluck({ { a = 1 }, {}, { a = 3 } }, "a", 0))
  end)
  it("groups records and gives mean ± sd per group in first-seen order", function()
    local recs = { { k = "b", x = 1 }, { k = "a", x = 5 }, { k = "b", x = 3 }, { x = 9 } }
    local g = report.group_stats(recs, "k", { "x" }, { key = "name", fmt = "%.1f" })
    assert.are.equal(2, #g)
    assert.are.same({ "b", 2, "2.0 ± 1.4", 2 }, { g[1].name, g[1].runs, g[1].x,
      g[1].x_mean })
    assert.are.same({ "a", 1, "5.0" }, { g[2].name, g[2].runs, g[2].x })
    local by_fn = report.group_stats(recs, function(r) return r.x > 2 and "big" or nil end,
      { "x" })
    assert.are.same({ "big", 3 }, { by_fn[1].group, by_fn[1].runs })
  end)
  it("groups by a table's columns, taking each column's format", function()
    local recs = { { g = "a", x = 1, y = 10 }, { g = "a", x = 2, y = 20 }, { g = "b", x = 3 } }
    local columns = { { "g", "G" }, { "runs", "Runs" }, { "x", "X", "%.1f" }, { "y", "Y" } }
    local grouped = report.group_stats(recs, "g", columns, { key = "g" })
    assert.are.same({ "1.5 ± 0.7", "3.0" }, report.pluck(grouped, "x"))
    assert.are.equal("15.0000 ± 7.0711", grouped[1].y)
    assert.are.equal("", grouped[2].y)
  end)

  it("sorts rows by where their key stands in a list, unknown keys last by key", function()
    local unsorted = { { k = "z" }, { k = "b" }, { k = "a" }, { k = "y" } }
    assert.are.same({ "b", "a", "y", "z" }, report.pluck(report.sort_by_list(unsorted, "k",
      { "b", "a" }), "k"))
  end)

  it("creates folders and reads every JSON-lines file of one without a shell", function()
    local dir = h.tmpdir()
    report.mkdir(dir .. "/a/b")
    assert(report.write_atomic(dir .. "/a/b/2.jsonl", report.jsonl{ { n = 2 } }))
    assert(report.write_atomic(dir .. "/a/b/1.jsonl", report.jsonl{ { n = 1 }, { n = 1.5 } }))
    assert(report.write_atomic(dir .. "/a/b/notes.txt", "not JSON"))
    assert.are.same({ 1, 1.5, 2 }, report.pluck(report.read_jsonl_dir(dir .. "/a/b"), "n"))
    assert.are.same({}, report.read_jsonl_dir(dir .. "/missing"))
    h.rmdir(dir)
  end)
end)

describe("progress", function()
  it("prints periodic lines when not on a terminal", function()
    local lines = {}
    local out = { write = function(_, s) lines[#lines + 1] = s end, flush = function() end }
    local p = progress.new{ total = 10, label = "train", out = out, tty = false, every = 5 }
    for i = 1, 10 do p:update(i, { loss = 1 / i }) end
    assert.are.equal(3, #lines) -- steps 1, 5 and 10
    assert.matches("train 10/10  loss 0.1", lines[3])
  end)
end)
