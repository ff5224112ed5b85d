-- What augmentation adds to an epoch: the paper's CNN (16, 32) trained full batch on
-- 676 x 1 x 72 x 90 images, against augmenting that batch (flip, shift 4, rotate 10 with
-- scale 0.1, brightness/contrast 0.2, erasing p 0.5). Medians of REPS timed runs.
--   sfewlua bench/augment.lua [REPS=5] [THREADS=2]   (also run at the end of `make bench`)
local nn, train, tensor, optim, data = sfew.nn, sfew.train, sfew.tensor, sfew.optim, sfew.data
local reps, threads = tonumber(arg[1]) or 5, tonumber(arg[2]) or 2
sfew.threads(threads)
local rng = sfew.rng(1)
local n = 676

local h, w = ((72 - 4) // 2 - 4) // 3, ((90 - 4) // 2 - 4) // 3
local net = nn.Sequential {
  nn.Conv2d(1, 16, 5, {rng = rng}), nn.ReLU(), nn.MaxPool2d(2),
  nn.Conv2d(16, 32, 5, {rng = rng}), nn.ReLU(), nn.MaxPool2d(3),
  nn.Flatten(), nn.Linear(32 * h * w, 7, {rng = rng}),
}
local crit, opt = nn.CrossEntropyLoss(), optim.Adam(net:parameters(), {lr = 1e-3})
local labels = {}
for i = 1, n do labels[i] = rng:random(7) end
local x, y = tensor.rand({n, 1, 72, 90}, rng), tensor.new({n}, labels)
local aug = data.augment{ data.flip(), data.shift(4), data.rotate(10, {scale = 0.1}),
  data.jitter{brightness = 0.2, contrast = 0.2}, data.erase{p = 0.5} }

local function median(ts)
  table.sort(ts)
  return ts[(#ts + 1) // 2]
end

-- Plain and augmented epochs alternate, so drift in the machine's load hits both alike.
local xa = aug:apply(x, rng)
local plain, both, alone = {}, {}, {}
train.step(net, crit, opt, x, y)
for i = 1, reps do
  local t0 = sfew.clock()
  train.step(net, crit, opt, x, y)
  local t1 = sfew.clock()
  xa:free()
  xa = aug:apply(x, rng)
  local t2 = sfew.clock()
  train.step(net, crit, opt, xa, y)
  local t3 = sfew.clock()
  plain[i], alone[i], both[i] = t1 - t0, t2 - t1, t3 - t1
end
local t_epoch, t_aug, t_both = median(plain), median(alone), median(both)
local cfg = sfew.config()
print(("%s, %d threads, our kernels %s (%s); %d images 72x90, median of %d"):format(cfg.cpu,
  threads, cfg.isa, cfg.conv_kernels, n, reps))
print(("epoch without augmentation  %8.1f ms"):format(t_epoch * 1e3))
print(("augmentation alone          %8.1f ms"):format(t_aug * 1e3))
print(("epoch with augmentation     %8.1f ms  (%.2fx)"):format(t_both * 1e3, t_both / t_epoch))
