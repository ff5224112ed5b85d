-- How hard the synthetic faces are: generates 850 of them at a difficulty, trains the
-- paper's (16,32) CNN (Adam 1e-3, full batch, 80/20 split, seed 1) and prints train and
-- test accuracy every 50 epochs. Usage: sfewlua bench/difficulty.lua D [EPOCHS]
local d = tonumber(arg[1]) or error("usage: sfewlua bench/difficulty.lua D [EPOCHS]")
local epochs = tonumber(arg[2] or 150)
local dir = os.tmpname()
os.remove(dir)
assert(sfew.data.synthesize_faces{ dir = dir, n = 850, seed = 1, difficulty = d })
local ds = assert(sfew.data.image_folder(dir, { quiet = true }))
local rng = sfew.rng(1)
ds:shuffle(rng)
local tr, te = ds:split(0.8, rng)
local st = tr:normalize(); te:normalize(st)
local net = require("sfew.experiment").paper_cnn(16, 32, { rng = rng })
local ce = sfew.nn.CrossEntropyLoss()
local opt = sfew.optim.Adam(net:parameters(), { lr = 1e-3 })
for e = 1, epochs do
  sfew.train.step(net, ce, opt, tr.x, tr.y)
  if e % 50 == 0 then
    local l, a = sfew.train.evaluate(net, ce, tr.x, tr.y)
    local tl, ta = sfew.train.evaluate(net, ce, te.x, te.y)
    print(("d=%s epoch %d: train %.3f acc %.3f, test %.3f acc %.3f"):format(arg[1], e, l, a,
      tl, ta))
    io.stdout:flush()
  end
end
os.execute("rm -rf '" .. dir .. "'")
