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
