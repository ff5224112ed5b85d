-- Optional generators left out (the default one is used), and an all-zero state refused.
local sfew = require "sfew"
sfew.tensor.rand { 2, 2 }
sfew.tensor.randn { 2, 2 }
sfew.data.random_patches(sfew.tensor.zeros { 2, 1, 8, 8 }, 2, 5)
local r = sfew.rng(1)
pcall(r.set_state, r, string.rep("\0", #r:state()))
r:normal()
