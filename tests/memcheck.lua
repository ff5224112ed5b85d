-- A short training run for `make memcheck` (valgrind): synthetic faces written and read
-- back, a small CNN trained for two Adam steps, a checkpoint saved and loaded, a feature
-- table and a CSV. Keep it to seconds: valgrind runs it 20-50 times slower.
local sfew = require "sfew"
local nn, data = sfew.nn, sfew.data

local dir = os.tmpname()
os.remove(dir)
assert(data.synthesize_faces { dir = dir, n = 14, seed = 3, width = 24, height = 20 })
local ds = assert(data.image_folder(dir, { width = 24, height = 20 }))
assert(#ds == 14, "expected 14 faces")
local stats = ds:normalize()
assert(stats.mean)

local rng = sfew.rng(1)
local net = nn.Sequential {
  nn.Conv2d(1, 4, 5, { rng = rng }), nn.ReLU(), nn.MaxPool2d(2),
  nn.Flatten(), nn.Linear(4 * 8 * 10, 7, { rng = rng }),
}
local loss_fn = nn.CrossEntropyLoss()
local opt = sfew.optim.Adam(net:parameters(), { lr = 1e-3 })
local first, last
for step = 1, 2 do
  last = sfew.train.step(net, loss_fn, opt, ds.x, ds.y, { chunk = 8 })
  first = first or last
  assert(last == last, "loss is NaN at step " .. step)
end

local ckpt = dir .. "/net.safetensors"
assert(net:save(ckpt))
local back = assert(nn.load(ckpt))
local a, b = net:forward(ds.x), back:forward(ds.x)
assert((a - b):abs():max() == 0, "the loaded net differs")

local feats = require("sfew.features").lpq(ds.x:narrow(1, 1, 2))
assert(feats:size(1) == 2)
assert(sfew.data.load_image(dir .. "/nothing.png") == nil)

os.execute("rm -rf '" .. dir .. "'")
print(("memcheck: %d images, loss %.4f -> %.4f, checkpoint round trip ok"):format(#ds, first, last))
