-- Face detection speed: milliseconds per 720x576 frame (the SFEW frame size) for Haar alt2
-- and LBP, on one thread and on all threads, beside OpenCV 4.6's detectMultiScale with the
-- same parameters (scale 1.1, min neighbours 3) on the same frame in the same run, when
-- Debian's python3-opencv is there. Usage: sfewlua bench/faces.lua [--reps K] [--threads T]
local data = require "sfew.data"
local faces = require "sfew.faces"
local core = require "sfew.core.detect"
local sys = require "sfew.core.sys"

local reps, threads = 5, nil
local i = 1
while arg[i] do
  if arg[i] == "--reps" or arg[i] == "--threads" then
    local v = math.tointeger(tonumber(arg[i + 1])) or error("bad value for " .. arg[i])
    if arg[i] == "--reps" then reps = v else threads = v end
    i = i + 2
  else
    error("unknown option " .. arg[i])
  end
end

local function capture(cmd)
  local p = io.popen(cmd .. " 2>/dev/null")
  local out = p:read("a")
  return out, p:close()
end

local ncpu = threads or math.tointeger(tonumber((capture("nproc"))) or 1) or 1
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "bench"
local PY = os.getenv("SFEW_BENCH_PYTHON") or "/usr/bin/python3"

-- The frame: Grace Hopper's portrait (facedetect's example) stretched to 720x576.
local src = "/usr/share/doc/facedetect/examples/grace_hopper_512x512.jpg"
local img = data.load_image(src) or data.load_image("tests/fixtures/faces/hopper.png")
local frame = core.crop(img, 0, 0, img:size(3), img:size(2), 720, 576)
local tmp = os.tmpname()
local png = tmp .. ".png"
data.write_png(frame, png)

local function median(xs)
  table.sort(xs)
  local m = #xs // 2
  return #xs % 2 == 1 and xs[m + 1] or (xs[m] + xs[m + 1]) / 2
end

local function ours(det, nthreads)
  local old = sys.threads()
  sys.threads(nthreads)
  local boxes = det:detect(frame) -- warm-up
  local t, cpu = {}, {}
  for r = 1, reps do
    local t0, c0 = sys.clock(), os.clock()
    det:detect(frame)
    t[r], cpu[r] = (sys.clock() - t0) * 1000, (os.clock() - c0) * 1000
  end
  sys.threads(old)
  return median(t), #boxes, median(cpu)
end

local function peer(paths, nthreads)
  local out, ok = capture(("%s %s/faces_peer.py %s %d %d %s"):format(PY, here, png, nthreads,
    reps, table.concat(paths, " ")))
  if not ok then return {} end
  local ms, cpu = {}, {}
  for path, v, c in out:gmatch("(%S+) ([%d.]+) ([%d.]+)") do
    ms[path], cpu[path] = tonumber(v), tonumber(c)
  end
  return ms, cpu
end

local rows = {}
local names = { "haar_alt2", "lbp" }
local paths = {}
for k, n in ipairs(names) do paths[k] = faces.cascade_dir .. "/" .. faces.cascades[n] end
local cv1, cv1cpu = peer(paths, 1)
local cvn = peer(paths, ncpu)
for k, n in ipairs(names) do
  local det = assert(faces.face_detector(n))
  local one, nb, onecpu = ours(det, 1)
  local all = ours(det, ncpu)
  rows[#rows + 1] = { n, one, cv1[paths[k]], all, cvn[paths[k]], nb, onecpu, cv1cpu[paths[k]] }
end
os.remove(png)
os.remove(tmp)

local function f(v) return v and ("%8.1f"):format(v) or "       -" end
local cfg = require("sfew").config()
print(("Face detection, ms per 720x576 frame (median of %d; scale 1.1, min neighbours 3)")
  :format(reps))
print(("CPU: %s; Haar scan: %s; LBP scan: scalar"):format(cfg.cpu, cfg.detect_scan))
-- CPU time of the one-thread runs: on a shared machine the fairer one-thread comparison.
print(("%-10s %8s %8s %8s %8s %8s %8s %6s"):format("cascade", "ours 1T", "cv2 1T",
  "ours " .. ncpu .. "T", "cv2 " .. ncpu .. "T", "ours cpu", "cv2 cpu", "faces"))
for _, r in ipairs(rows) do
  print(("%-10s %s %s %s %s %s %s %6d"):format(r[1], f(r[2]), f(r[3]), f(r[4]), f(r[5]),
    f(r[7]), f(r[8]), r[6]))
end
if not next(cv1) then print("(python3-opencv missing: our numbers only)") end
