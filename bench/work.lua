-- One benchmark workload, run in its own process so its peak memory is its own:
--   sfewlua bench/work.lua MODE C1 C2 N REPS THREADS
-- MODE: full (full-batch train.step, Adam), mb32 (an epoch of minibatches of 32),
-- infer (forward in evaluate mode), pic (the 11-10-11 autoencoder, 540 rows, one
-- full-batch step per epoch, timed in blocks of 200 epochs).
-- Prints "time <seconds per epoch>" per timed repetition (after one warm-up) and
-- "peak_mb <VmHWM>" at the end.
local nn, train, tensor, optim = sfew.nn, sfew.train, sfew.tensor, sfew.optim
local mode, c1, c2 = arg[1], tonumber(arg[2]), tonumber(arg[3])
local n, reps, threads = tonumber(arg[4]), tonumber(arg[5]), tonumber(arg[6])
sfew.threads(threads)
local rng = sfew.rng(1)

local function peak_mb()
  local f = io.open("/proc/self/status")
  if not f then return 0 end
  local s = f:read("a")
  f:close()
  return (tonumber(s:match("VmHWM:%s*(%d+)")) or 0) / 1024
end

local net, crit, x, y, epoch
if mode == "pic" then
  net = nn.Sequential { nn.Linear(11, 10, {rng = rng}), nn.Sigmoid(),
    nn.Linear(10, 11, {rng = rng}) }
  crit = nn.MSELoss()
  x = tensor.rand({540, 11}, rng)
  y = x
else
  local h, w = (72 - 4) // 2, (90 - 4) // 2
  h, w = (h - 4) // 3, (w - 4) // 3
  net = nn.Sequential {
    nn.Conv2d(1, c1, 5, {rng = rng}), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(c1, c2, 5, {rng = rng}), nn.ReLU(), nn.MaxPool2d(3),
    nn.Flatten(), nn.Linear(c2 * h * w, 7, {rng = rng}),
  }
  crit = nn.CrossEntropyLoss()
  local labels = {}
  for i = 1, n do labels[i] = rng:random(7) end
  x, y = tensor.rand({n, 1, 72, 90}, rng), tensor.new({n}, labels)
end
local opt = optim.Adam(net:parameters(), {lr = 1e-3})

if mode == "full" then
  epoch = function() train.step(net, crit, opt, x, y) end
elseif mode == "mb32" then
  local xs, ys = {}, {}
  for s = 1, n, 32 do
    local m = math.min(32, n - s + 1)
    xs[#xs + 1], ys[#ys + 1] = x:narrow(1, s, m), y:narrow(1, s, m)
  end
  epoch = function()
    for i = 1, #xs do train.step(net, crit, opt, xs[i], ys[i]) end
  end
elseif mode == "infer" then
  net:evaluate()
  epoch = function()
    local out = net:forward(x)
    out:free()
  end
elseif mode == "pic" then
  epoch = function()
    for _ = 1, 200 do train.step(net, crit, opt, x, y) end
  end
else
  error("unknown mode " .. tostring(mode))
end

epoch()
for _ = 1, reps do
  local t0 = sfew.clock()
  epoch()
  local t = sfew.clock() - t0
  print(("time %.6f"):format(mode == "pic" and t / 200 or t))
end
print(("peak_mb %.1f"):format(peak_mb()))
