-- Do the feature-table columns carry class information? Softmax regression (Adam 0.05,
-- 500 full-batch steps, 80/20 stratified split, seed 1) on a table in SFEW's layout.
-- Usage: sfewlua bench/feature_classifier.lua TABLE.csv
local data, nn = sfew.data, sfew.nn
local path = arg[1] or error("usage: sfewlua bench/feature_classifier.lua TABLE.csv")
local t = assert(data.read_csv(path))
local ds = data.Dataset.new{ x = t.x, y = t.y }
local rng = sfew.rng(1)
local tr, te = ds:split(0.8, rng, { stratified = true })
local stats = tr:normalize(); te:normalize(stats)
local n = tr.x:size(2)
local net = nn.Sequential{ nn.Linear(n, 7, { rng = rng }) }
local ce = nn.CrossEntropyLoss()
local opt = sfew.optim.Adam(net:parameters(), { lr = 0.05 })
for _ = 1, 500 do sfew.train.step(net, ce, opt, tr.x, tr.y) end
local _, train_acc = sfew.train.evaluate(net, ce, tr.x, tr.y)
local _, test_acc = sfew.train.evaluate(net, ce, te.x, te.y)
print(("%d columns: train acc %.3f, test acc %.3f (chance 0.143)"):format(n, train_acc,
  test_acc))
