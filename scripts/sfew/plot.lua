-- Line plots as PNG through gnuplot (Debian's gnuplot-nox). Without gnuplot, plots are
-- skipped with a message and everything else goes on.
local report = require "sfew.report"

local M = {}

-- A gnuplot string: single-quoted, a quote inside doubled (gnuplot's rule, not the shell's).
local function quote(s) return "'" .. tostring(s):gsub("'", "''") .. "'" end

function M.available()
  if M._available == nil then
    M._available = os.execute("command -v gnuplot >/dev/null 2>&1") == true
  end
  return M._available
end

-- spec: {path, title, xlabel, ylabel [, y2label], series = {{title, x = {...}, y = {...},
-- axis = "y2"?}, ...}, reverse_x = bool, integer_x = bool (a tic per integer), log_x = bool
-- (a logarithmic x axis: points at x <= 0 are left out)}.
-- Returns true, or nil and a reason.
function M.lines(spec)
  if not M.available() then return nil, "gnuplot not found: plot " .. spec.path .. " skipped" end
  local sio = require "sfew.io"
  local tmp, terr = sio.temp_name(spec.path)
  if not tmp then return nil, terr end
  local script = {
    "set terminal pngcairo size 800,500 enhanced font 'DejaVu Sans,10'",
    "set output " .. quote(tmp),
    "set title " .. quote(spec.title or ""),
    "set xlabel " .. quote(spec.xlabel or ""),
    "set ylabel " .. quote(spec.ylabel or ""),
    "set grid",
    "set key outside right",
  }
  if spec.y2label then
    script[#script + 1] = "set y2label " .. quote(spec.y2label)
    script[#script + 1] = "set y2tics"
    script[#script + 1] = "set ytics nomirror"
  end
  if spec.reverse_x then script[#script + 1] = "set xrange [*:*] reverse" end
  if spec.integer_x then script[#script + 1] = "set xtics 1" end
  if spec.log_x then script[#script + 1] = "set logscale x" end
  local plots = {}
  for _, s in ipairs(spec.series) do
    plots[#plots + 1] = ("'-' using 1:2 with linespoints title %s axes %s"):format(
      quote(s.title or ""), s.axis == "y2" and "x1y2" or "x1y1")
  end
  script[#script + 1] = "plot " .. table.concat(plots, ", ")
  for _, s in ipairs(spec.series) do
    for i = 1, #s.x do
      local y = s.y[i]
      local shown = y == y and y ~= nil and not (spec.log_x and s.x[i] <= 0)
      if shown then script[#script + 1] = ("%.10g %.10g"):format(s.x[i], y) end
    end
    script[#script + 1] = "e"
  end
  local file = os.tmpname()
  local ok, err = report.write_atomic(file, table.concat(script, "\n") .. "\n")
  if not ok then os.remove(tmp); return nil, err end
  local ran = os.execute("gnuplot " .. quote(file) .. " 2>/dev/null")
  os.remove(file)
  if not ran then
    os.remove(tmp)
    return nil, "gnuplot failed for " .. spec.path
  end
  local done, rerr = sio.rename_atomic(tmp, spec.path)
  if not done then os.remove(tmp) end
  return done, rerr
end

-- Two measures of table rows against one column, the second on the right axis:
-- plot.two_axes{path, title, rows, x = {key, label}, y = {key, label}, y2 = {key, label},
-- reverse_x = bool}. Integer x tics.
function M.two_axes(spec)
  local function col(key) return report.pluck(spec.rows, key, 0 / 0) end -- NaN: not drawn
  local xs = col(spec.x[1])
  return M.lines{ path = spec.path, title = spec.title, xlabel = spec.x[2], ylabel = spec.y[2],
    y2label = spec.y2[2], reverse_x = spec.reverse_x, integer_x = true,
    series = { { title = spec.y[2], x = xs, y = col(spec.y[1]) },
      { title = spec.y2[2], x = xs, y = col(spec.y2[1]), axis = "y2" } } }
end

-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "sfew.plot", "Line plots as PNG through gnuplot (skipped when it is missing).")
doc.table(M, {
  available = { "plot.available()", "True when gnuplot is installed." },
  lines = { "plot.lines{path, title, xlabel, ylabel, y2label, series = {{title, x = {...}, "
    .. "y = {...}, axis = \"y2\"}, ...}, reverse_x, integer_x, log_x}",
    "Plots the series as lines into a PNG; true, or nil and a reason." },
  two_axes = { "plot.two_axes{path, title, rows, x = {key, label}, y = {key, label}, "
    .. "y2 = {key, label}, reverse_x}",
    "Two measures of table rows against one column, the second on the right axis." },
})

return M
