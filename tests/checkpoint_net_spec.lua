-- Checkpoints of real networks: net:save / nn.load rebuild the same network, and a full
-- training checkpoint resumes exactly as if the run had not stopped.
local sfew = require "sfew"
local h = require "helpers"
local nn, tensor = sfew.nn, sfew.tensor
local checkpoint = require "sfew.checkpoint"

local function small_cnn(rng)
  return nn.Sequential{ nn.Conv2d(1, 3, 3, { rng = rng }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(3 * 3 * 3, 4, { rng = rng }) }
end

describe("sfew.nn checkpoints", function()
  local dir
  before_each(function() dir = h.tmpdir() end)
  after_each(function() h.rmdir(dir) end)

  it("net:save and nn.load give the same network and outputs", function()
    local rng = sfew.rng(5)
    local net = small_cnn(rng)
    local x = tensor.randn({2, 1, 8, 8}, rng)
    assert.is_true(net:save(dir .. "/net.safetensors", { extra = { note = "test" } }))
    local back, extra = nn.load(dir .. "/net.safetensors")
    assert.are.equal(tostring(net), tostring(back))
    assert.are.same(net:forward(x):flat(), back:forward(x):flat())
    assert.are.equal("test", extra.note)
  end)

  it("returns nil and a message for a missing or truncated file", function()
    local net, err = nn.load(dir .. "/none.safetensors")
    assert.is_nil(net)
    assert.matches("none.safetensors", err)
    local rng = sfew.rng(1)
    small_cnn(rng):save(dir .. "/a.safetensors")
    local bytes = io.open(dir .. "/a.safetensors", "rb"):read("a")
    io.open(dir .. "/b.safetensors", "wb"):write(bytes:sub(1, #bytes // 2)):close()
    net, err = nn.load(dir .. "/b.safetensors")
    assert.is_nil(net)
    assert.matches("b.safetensors", err)
  end)

  it("resumes training exactly from a full checkpoint", function()
    local ce = nn.CrossEntropyLoss()
    local x = tensor.randn({6, 1, 8, 8}, sfew.rng(2))
    local y = tensor.new({6}, {1, 2, 3, 4, 1, 2})
    local function fresh()
      local net = small_cnn(sfew.rng(3))
      return net, sfew.optim.Adam(net:parameters(), { lr = 0.01 })
    end
    local a, oa = fresh()
    for _ = 1, 4 do sfew.train.step(a, ce, oa, x, y) end
    local b, ob = fresh()
    for _ = 1, 2 do sfew.train.step(b, ce, ob, x, y) end
    assert(checkpoint.save(dir .. "/run.safetensors", { net = b, optimizer = ob,
      extra = { epoch = 2 } }))
    local c, oc = fresh()
    local extra = assert(checkpoint.load(dir .. "/run.safetensors", { net = c, optimizer = oc }))
    assert.are.equal(2, tonumber(extra.epoch))
    for _ = 1, 2 do sfew.train.step(c, ce, oc, x, y) end
    local pa, pc = a:parameters(), c:parameters()
    for i = 1, #pa do assert.are.same(pa[i]:flat(), pc[i]:flat()) end
  end)
end)
