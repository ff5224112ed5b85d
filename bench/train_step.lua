-- One full-batch train.step of the paper's (16,32) CNN on random 1x72x90 images: the
-- time per step and the loss. Usage: sfewlua bench/train_step.lua [n=676] [threads=2]
-- [steps=3] [chunk=128]
local nn, train, tensor = sfew.nn, sfew.train, sfew.tensor
local n, threads = tonumber(arg[1]) or 676, tonumber(arg[2]) or 2
local steps, chunk = tonumber(arg[3]) or 3, tonumber(arg[4]) or 128
sfew.threads(threads)
local rng = sfew.rng(1)
local net = nn.Sequential {
  nn.Conv2d(1, 16, 5, {rng = rng}), nn.ReLU(), nn.MaxPool2d(2),
  nn.Conv2d(16, 32, 5, {rng = rng}), nn.ReLU(), nn.MaxPool2d(3),
  nn.Flatten(), nn.Linear(32 * 10 * 13, 7, {rng = rng}),
}
local labels = {}
for i = 1, n do labels[i] = rng:random(7) end
local x, y = tensor.rand({n, 1, 72, 90}, rng), tensor.new({n}, labels)
local params = net:parameters()
local opt = { -- plain SGD: the benchmark is about forward/backward, not the optimiser
  zero_grad = function() for _, p in ipairs(params) do p.grad:zero() end end,
  step = function() for _, p in ipairs(params) do p:add_(p.grad, -0.01) end end,
}
local crit = nn.CrossEntropyLoss()
for s = 1, steps do
  local t0 = sfew.clock()
  local loss = train.step(net, crit, opt, x, y, {chunk = chunk})
  print(("step %d: loss %.4f, %.3f s (%d images, %d threads, chunk %d)")
    :format(s, loss, sfew.clock() - t0, n, threads, chunk))
end
