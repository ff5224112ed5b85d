-- prune with a layer index of math.mininteger, and a tensor given as the network.
local sfew = require "sfew"
local r = sfew.rng(1)
local net = sfew.nn.Sequential { sfew.nn.Linear(3, 4, { rng = r }), sfew.nn.Sigmoid(),
  sfew.nn.Linear(4, 2, { rng = r }) }
local x = sfew.tensor.rand({ 5, 3 }, r)
pcall(sfew.prune.hidden_activations, net, x, math.mininteger)
pcall(sfew.prune.hidden_angles, net, x, { layer = math.mininteger })
pcall(sfew.prune.pic_step, net, x, { layer = math.mininteger })
pcall(sfew.prune.distinctiveness, sfew.tensor.zeros { 1 << 32, 0 }, x, {})
pcall(sfew.prune.most_alike, sfew.tensor.ones { 3, 3 }, sfew.tensor.zeros { 1 << 32, 0 })
pcall(sfew.prune.min_angle, sfew.tensor.ones { 3, 3 }, sfew.tensor.zeros { 1 << 32, 0 })
