-- Distinctiveness pruning of conv2's channels (beyond the paper; a template for new
-- experiments): trains the (16,32) CNN, merges channels under --threshold degrees apart.
-- Under a minute with the defaults on 2 cores. Usage: sfewlua experiments/channel_pic.lua
-- [--epochs N] [--seed N] [--threshold DEG] [--limit N] [--data DIR] [--out DIR]
local sfew = require "sfew"
local report = require "sfew.report"

local o = { epochs = 30, seed = 1, threshold = 15, limit = 300, out = "reports/channel_pic" }
for i = 1, #(arg or {}), 2 do
  local k, v = arg[i]:match("^%-%-(%w+)$"), arg[i + 1]
  if not k or (o[k] == nil and k ~= "data") or v == nil then error("bad option " .. arg[i], 0) end
  o[k] = (k == "out" or k == "data") and v or tonumber(v)
    or error("--" .. k .. ": number expected", 0)
end
local rng, nn = sfew.rng(o.seed), sfew.nn

local ds = o.data and sfew.data.image_folder(o.data, { width = 90, height = 72, gray = true })
  or sfew.data.load_default()
ds:shuffle(rng)
local keep = {}
for i = 1, math.min(o.limit, #ds) do keep[i] = i end
local train, test = ds:subset(keep):split(0.8, rng)
test:normalize(train:normalize())

local net = nn.Sequential { nn.Conv2d(1, 16, 5, { rng = rng }), nn.ReLU(), nn.MaxPool2d(2),
  nn.Conv2d(16, 32, 5, { rng = rng }), nn.ReLU(), nn.MaxPool2d(3),
  nn.Flatten(), nn.Linear(32 * 10 * 13, 7, { rng = rng }) }
local loss_fn = nn.CrossEntropyLoss()
sfew.train.fit { net = net, criterion = loss_fn, optimizer = sfew.optim.Adam(net:parameters(),
  { lr = 1e-3 }), x = train.x, y = train.y, epochs = o.epochs, rng = rng, progress = false }

local function measure(stage)
  local r = { stage = stage, channels = net[4].weight:size(1) }
  r.train_loss, r.train_acc = sfew.train.evaluate(net, loss_fn, train.x, train.y)
  r.test_loss, r.test_acc = sfew.train.evaluate(net, loss_fn, test.x, test.y)
  return r
end
local before, merges = measure("before"), {}
-- Merge the most alike pair of conv2 (layer 4) channels while it is under the threshold
-- (numbers as they stand at that step). ReLU channels are centred at 0, so their angles
-- stay within 0..90: none is complementary.
while net[4].weight:size(1) > 1 do
  local angles, dead = sfew.prune.channel_angles(net, 4, train.x)
  local into, drop, angle = sfew.prune.most_alike(angles, dead)
  if not into or angle >= o.threshold then break end
  sfew.prune.remove_channels(net, 4, { drop }, { into = into })
  merges[#merges + 1] = { stage = "merge", channel = drop, into = into, angle = angle }
end
local rows = { before, measure("after") }

local cols = { { "stage", "Stage" }, { "channels", "conv2 channels" },
  { "train_loss", "Train loss", "%.4f" }, { "train_acc", "Train acc", "%.3f" },
  { "test_loss", "Test loss", "%.4f" }, { "test_acc", "Test acc", "%.3f" } }
io.write(report.text(rows, cols), ("%d merges; report in %s/report.md\n"):format(#merges, o.out))
report.mkdir(o.out)
assert(report.write_atomic(o.out .. "/report.md", ("# conv2 channels merged under %g degrees\n\n"
  .. "%s\n%d merges.\n"):format(o.threshold, report.markdown(rows, cols), #merges)))
assert(report.write_atomic(o.out .. "/results.jsonl", report.jsonl({ before, rows[2],
  table.unpack(merges) })))
