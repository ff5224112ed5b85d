-- sfew.plot: line plots through gnuplot, written atomically.
local h = require "helpers"
local plot = require "sfew.plot"

describe("sfew.plot", function()
  it("draws a logarithmic x axis, leaving out the points at x <= 0, with quotes in labels",
    function()
      if not plot.available() then return pending("gnuplot is not installed") end
      local dir = h.tmpdir()
      local path = dir .. "/curves.png"
      assert.is_true(plot.lines { path = path, title = "t", xlabel = "the paper's epochs",
        ylabel = "acc", log_x = true, series = {
          { title = "a", x = { 0, 1, 10, 700 }, y = { 0.1, 0.5, 0.6, 0.6 } },
          { title = "b", x = { 0, 1, 2, 40 }, y = { 0.1, 0.6, 0.7, 0.8 } } } })
      assert.are.equal("\137PNG", h.slurp(path):sub(1, 4))
      -- only x <= 0: nothing is left to draw on a log axis, and no file is made
      assert.is_nil((plot.lines { path = dir .. "/none.png", log_x = true,
        series = { { title = "c", x = { 0 }, y = { 1 } } } }))
      assert.is_nil(io.open(dir .. "/none.png"))
      h.rmdir(dir)
    end)
end)
