-- sfew.train beyond the paper: validation with early stopping and the best weights kept,
-- gradient clipping, schedules and augmentation as fit options, the confusion matrix,
-- stratified cross-validation, frozen layers, parameter groups and replacing a layer.
local sfew = require "sfew"
local nn, tensor, train, data, optim = sfew.nn, sfew.tensor, sfew.train, sfew.data, sfew.optim

-- Two classes told apart by the sign of the mean of a 1 x 6 x 6 image.
local function task(n, rng)
  local x = tensor.randn({n, 1, 6, 6}, rng)
  local y = {}
  for i = 1, n do y[i] = x:narrow(1, i, 1):mean() > 0 and 1 or 2 end
  return x, tensor.new({n}, y)
end

local function small_net(rng)
  return nn.Sequential { nn.Conv2d(1, 3, 3, { rng = rng }), nn.BatchNorm2d(3), nn.ReLU(),
    nn.Flatten(), nn.Dropout(0.1, { rng = rng }), nn.Linear(48, 2, { rng = rng }) }
end

describe("sfew.train options beyond the paper", function()
  it("holds out a stratified validation split, stops early and keeps the best weights",
    function()
      local rng = sfew.rng(3)
      local x, y = task(100, rng)
      local net = small_net(rng)
      local opt = optim.Adam(net:parameters(), { lr = 1e-2 })
      local h = train.fit { net = net, criterion = nn.CrossEntropyLoss(), optimizer = opt,
        x = x, y = y, epochs = 40, batch = 20, validation = 0.2, patience = 3, rng = rng,
        progress = false }
      assert.is_number(h.best_epoch)
      assert.is_true(#h.eval >= 2)
      for _, e in ipairs(h.eval) do assert.is_number(e.val_acc) end
      if h.stopped_early then assert.is_true(h.stopped_early < 40) end
      -- the net ends with the best epoch's weights: its validation accuracy is the best one
      local best = 0
      for _, e in ipairs(h.eval) do best = math.max(best, e.val_acc) end
      assert.are.equal(best, h.best_val_acc)
    end)

  it("clips gradients, steps a schedule and augments minibatches", function()
    local rng = sfew.rng(4)
    local x, y = task(40, rng)
    local net = small_net(rng)
    local opt = optim.AdamW(net:parameters(), { lr = 1e-2 })
    local h = train.fit { net = net, criterion = nn.CrossEntropyLoss { label_smoothing = 0.1 },
      optimizer = opt, x = x, y = y, epochs = 4, batch = 10, clip = 0.5, rng = rng,
      schedule = optim.StepLR(opt, { step_size = 2, gamma = 0.5 }),
      augment = data.augment { data.flip() }, progress = false }
    assert.are.equal(4, #h.loss)
    assert.is_true(math.abs(opt.lr - 2.5e-3) < 1e-12)
    for _, bad in ipairs { { clip = -1 }, { patience = 0 }, { augment = 3 }, { schedule = {} },
      { validation = 2 } } do
      local o = { net = net, criterion = nn.CrossEntropyLoss(), optimizer = opt, x = x, y = y,
        epochs = 1, progress = false }
      for k, v in pairs(bad) do o[k] = v end
      local ok, err = pcall(train.fit, o)
      assert.is_false(ok)
      assert.matches("train.fit: option '" .. next(bad) .. "'", err)
    end
  end)

  it("counts a confusion matrix with per-class accuracy", function()
    local net = nn.Sequential { nn.Linear(2, 2) }
    net[1].weight:copy(tensor.new({2, 2}, {1, 0, 0, 1}))
    net[1].bias:zero()
    local x = tensor.new({4, 2}, {1, 0, 0, 1, 1, 0, 1, 0})
    local c = train.confusion(net, x, tensor.new({4}, {1, 2, 2, 1}), { "a", "b" })
    assert.are.same({ { 2, 0 }, { 1, 1 } }, c.counts)
    assert.are.same({ 1, 0.5 }, c.per_class)
    assert.are.equal(0.75, c.accuracy)
    assert.are.same({ "a", "b" }, c.classes)
    assert.has_error(function() train.confusion(net, x, tensor.new({4}, {1, 2, 3, 1}), 2) end)
  end)

  it("cross-validates over stratified folds", function()
    local rng = sfew.rng(5)
    local x, y = task(60, rng)
    local folds = require("sfew.crossval").stratified_folds(y, 3, rng)
    local per = { {}, {}, {} }
    for i, f in ipairs(folds) do
      local c = y:get(i)
      per[f][c] = (per[f][c] or 0) + 1
    end
    for c = 1, 2 do
      local lo, hi = math.huge, 0
      for f = 1, 3 do lo, hi = math.min(lo, per[f][c] or 0), math.max(hi, per[f][c] or 0) end
      assert.is_true(hi - lo <= 1)
    end
    local seen = 0
    local res = train.cross_validate { x = x, y = y, k = 3, rng = rng,
      net = function() return small_net(rng) end,
      optimizer = function(net) return optim.Adam(net:parameters(), { lr = 1e-2 }) end,
      fit = { epochs = 3, batch = 10 }, on_fold = function() seen = seen + 1 end }
    assert.are.equal(3, #res.folds)
    assert.are.equal(3, seen)
    local sum = 0
    for _, f in ipairs(res.folds) do sum = sum + f.test_acc end
    assert.is_true(math.abs(res.mean - sum / 3) < 1e-12)
    assert.is_true(res.std >= 0)
    assert.has_error(function() train.cross_validate { x = x, y = y, k = 1 } end)
    assert.has_error(function() train.cross_validate { x = x, y = y, folds = 3 } end)
  end)
end)

describe("sfew.nn transfer learning", function()
  it("keeps frozen layers' parameters through optimiser steps", function()
    local rng = sfew.rng(6)
    local x, y = task(20, rng)
    local net = small_net(rng)
    net:freeze(1, 2)
    assert.is_true(net:frozen(2) and not net:frozen(3))
    assert.are.equal(2, #net:trainable_parameters())
    local w, rm = net[1].weight:clone(), net[2]:named_buffers()[1].tensor:clone()
    local opt = optim.AdamW(net:parameters(), { lr = 0.1, weight_decay = 0.5 })
    local before = net[6].weight:clone()
    for _ = 1, 3 do train.step(net, nn.CrossEntropyLoss(), opt, x, y) end
    assert.are.same(w:flat(), net[1].weight:flat())
    assert.are.same(rm:flat(), net[2]:named_buffers()[1].tensor:flat())
    assert.are_not.same(before:flat(), net[6].weight:flat())
    net:unfreeze()
    assert.is_false(net:frozen(1))
    assert.is_true(net[2].training)
    assert.has_error(function() net:freeze(0) end)
    assert.has_error(function() net:freeze(2, 9) end)
  end)

  it("replaces the classifier for another class count", function()
    local rng = sfew.rng(7)
    local net = small_net(rng)
    net:replace(6, nn.Linear(48, 5, { rng = rng }))
    assert.are.same({ 4, 5 }, net:forward(tensor.randn({4, 1, 6, 6}, rng)):shape())
    assert.are.equal("Linear", net:spec().layers[6].type)
    assert.has_error(function() net:replace(7, nn.ReLU()) end)
    assert.has_error(function() net:replace(1, 3) end)
  end)

  it("gives parameter groups their own learning rates, moved together by schedules", function()
    local net = nn.Sequential { nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2) }
    local opt = optim.Adam({ { params = net[1]:parameters(), lr = 1e-4 },
      { params = net[3]:parameters() } }, { lr = 1e-2 })
    local g = opt.param_groups
    assert.are.equal(1e-4, g[1].lr)
    assert.are.equal(1e-2, g[2].lr)
    local w1, w3 = net[1].weight:clone(), net[3].weight:clone()
    local x = tensor.ones({2, 3})
    train.step(net, nn.CrossEntropyLoss(), opt, x, tensor.new({2}, {1, 2}))
    local d1 = (net[1].weight - w1):abs():max()
    local d3 = (net[3].weight - w3):abs():max()
    assert.is_true(d1 <= 1.01e-4 and d3 > 1e-3)
    local s = optim.StepLR(opt, { step_size = 1, gamma = 0.5 })
    s:step()
    assert.is_true(math.abs(opt.param_groups[2].lr - 5e-3) < 1e-12)
    assert.is_true(math.abs(opt.lr - 5e-5) < 1e-15)
    -- a training checkpoint keeps every group's state
    local path = os.tmpname()
    assert(require("sfew.checkpoint").save(path, { net = net, optimizer = opt }))
    local again = optim.Adam({ { params = net[1]:parameters(), lr = 1 },
      { params = net[3]:parameters(), lr = 1 } })
    assert(require("sfew.checkpoint").load(path, { optimizer = again }))
    os.remove(path)
    assert.are.same(opt:state_dict().meta, again:state_dict().meta)
    assert.has_error(function() again:load_state_dict({ tensors = {}, meta = {} }) end)
    assert.has_error(function() optim.Adam({ { lr = 1 } }) end)
  end)
end)
