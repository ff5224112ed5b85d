-- sfew.train's options: step takes clip, evaluate does not; a bad clip is named.
local sfew = require "sfew"
local nn, tensor, train = sfew.nn, sfew.tensor, sfew.train

describe("sfew.train options", function()
  local rng = sfew.rng(1)
  local net = nn.Sequential { nn.Linear(3, 2, { rng = rng }) }
  local x, y = tensor.randn({ 4, 3 }, rng), tensor.new({ 4 }, { 1, 2, 1, 2 })
  local loss = nn.CrossEntropyLoss()

  it("step clips the gradient norm when asked", function()
    local opt = sfew.optim.SGD(net:parameters(), { lr = 0.1 })
    assert.is_number(train.step(net, loss, opt, x, y, { clip = 1.0 }))
  end)

  it("step refuses a clip that is not a positive number", function()
    local opt = sfew.optim.SGD(net:parameters(), { lr = 0.1 })
    local ok, err = pcall(function() local r = train.step(net, loss, opt, x, y, { clip = -1 })
      return r end)
    assert.is_false(ok)
    assert.matches("bad argument #6 to 'train.step' %(option 'clip' must be a positive number%)",
      err)
  end)

  it("evaluate refuses clip, which only a step uses", function()
    local ok, err = pcall(train.evaluate, net, loss, x, y, { clip = 1 })
    assert.is_false(ok)
    assert.matches("unknown option 'clip'", err, 1, true)
  end)
end)
