-- PyTorch interop: PyTorch's 0-based names (net:state_dict{torch = true}, io.save and
-- net:save with names = "torch", nn.from_torch), a 0-based file refused by the 1-based
-- readers, and the paper's CNN round-tripped through PyTorch when /usr/bin/python3 has
-- torch (pending otherwise).
local sfew = require "sfew"
local h = require "helpers"
local nn, sio, tensor = sfew.nn, sfew.io, sfew.tensor

local PYTHON = "/usr/bin/python3"

local function has_torch()
  return os.execute(PYTHON .. " -c 'import torch' >/dev/null 2>&1") == true
end

local function sorted_names(ts)
  local out = {}
  for k in pairs(ts) do out[#out + 1] = k end
  table.sort(out)
  return out
end

local function cnn(rng)
  return sfew.models.paper_cnn(2, 3, { rng = rng, height = 24, width = 30, classes = 3 })
end

describe("PyTorch interop", function()
  local dir
  before_each(function() dir = h.tmpdir() end)
  after_each(function() h.rmdir(dir) end)

  it("writes PyTorch's 0-based names, counting layers without parameters", function()
    local net = cnn(sfew.rng(1))
    local p = dir .. "/net.safetensors"
    assert.is_true(net:save(p, { names = "torch" }))
    local ts, meta = assert(sio.load(p))
    assert.are.same({ "0.bias", "0.weight", "3.bias", "3.weight", "7.bias", "7.weight" },
      sorted_names(ts))
    assert.are.equal("torch", meta["sfew.names"])
    assert.are.same(net[8].weight:flat(), ts["7.weight"]:flat())
    -- nn.load knows the file's numbering from its metadata
    local x = tensor.rand({ 2, 1, 24, 30 }, sfew.rng(2))
    local back = assert(nn.load(p))
    assert.are.same(net:forward(x):flat(), back:forward(x):flat())
    -- io.save renames the same way
    assert.is_true(sio.save(dir .. "/sd.safetensors", net:state_dict(), nil, { names = "torch" }))
    assert.are.same(sorted_names(ts), sorted_names(assert(sio.load(dir .. "/sd.safetensors"))))
  end)

  it("refuses a 0-based file in the 1-based readers instead of shifting layers", function()
    local net = cnn(sfew.rng(3))
    local p = dir .. "/zero.safetensors"
    -- names as PyTorch writes them, but no sfew.names marker
    assert(sio.save(p, net:state_dict { torch = true },
      { ["sfew.spec"] = require("sfew.json").encode(net:spec()), ["sfew.kind"] = "net" }))
    local back, err = nn.load(p)
    assert.is_nil(back)
    assert.matches("names its tensors 0-based, as PyTorch does (0.weight): read it with "
      .. "nn.from_torch", err, 1, true)
    local train = {}
    for k, t in pairs(net:state_dict { torch = true }) do train["net." .. k] = t end
    assert(sio.save(p, train, { ["sfew.kind"] = "train" }))
    local extra, err2 = sfew.checkpoint.load(p, { net = cnn(sfew.rng(3)) })
    assert.is_nil(extra)
    assert.matches("0-based", err2, 1, true)
  end)

  it("builds a network from a PyTorch-named file with nn.from_torch", function()
    local net = cnn(sfew.rng(4))
    local p = dir .. "/pt.safetensors"
    assert(sio.save(p, net:state_dict { torch = true }, { format = "pt" }))
    local x = tensor.rand({ 2, 1, 24, 30 }, sfew.rng(5))
    local none, err = nn.load(p) -- no spec and 0-based names: pointed to nn.from_torch
    assert.is_nil(none)
    assert.matches("read it with nn.from_torch(path, spec)", err, 1, true)
    local from_spec = assert(nn.from_torch(p, net:spec()))
    assert.are.same(net:forward(x):flat(), from_spec:forward(x):flat())
    local into = cnn(sfew.rng(6))
    assert.are.equal(into, assert(nn.from_torch(p, into)))
    assert.are.same(net:forward(x):flat(), into:forward(x):flat())
  end)

  it("refuses sfew's own 1-based files and files that do not fit", function()
    local net = cnn(sfew.rng(7))
    local p = dir .. "/sfew.safetensors"
    assert(net:save(p))
    local back, err = nn.from_torch(p, net:spec())
    assert.is_nil(back)
    assert.matches("holds sfew's 1-based names (1.weight): read it with nn.load", err, 1, true)
    local q = dir .. "/other.safetensors"
    assert(sio.save(q, cnn(sfew.rng(7)):state_dict { torch = true }))
    local spec = net:spec()
    spec.layers[4].out_channels = 4
    back, err = nn.from_torch(q, spec)
    assert.is_nil(back)
    assert.matches("tensor '3.weight' has shape 3x2x5x5, the network's has 4x2x5x5", err, 1, true)
    assert.is_false((pcall(nn.from_torch, q, 42)))
  end)

  it("round-trips the paper's CNN through PyTorch", function()
    if not has_torch() then
      print("torch_interop_spec: " .. PYTHON .. " has no torch: PyTorch round trip skipped")
      pending(PYTHON .. " has no torch")
      return
    end
    local net = sfew.models.paper_cnn(4, 6, { rng = sfew.rng(8) })
    local x = tensor.rand({ 2, 1, 72, 90 }, sfew.rng(9))
    local paths = {}
    for i, name in ipairs { "net", "x", "out", "pt" } do
      paths[i] = dir .. "/" .. name .. ".safetensors"
    end
    assert(net:save(paths[1], { names = "torch" }))
    assert(sio.save(paths[2], { x = x }))
    local cmd = { PYTHON, h.root .. "/tools/torch_roundtrip.py", table.unpack(paths) }
    for i, a in ipairs(cmd) do cmd[i] = "'" .. a .. "'" end
    assert.is_true(os.execute(table.concat(cmd, " ")) == true, "torch_roundtrip.py failed")
    local want = net:forward(x)
    local got = assert(sio.load(paths[3])).output
    assert.is_true(h.max_rel_err(got, want) < 1e-4, "PyTorch's output differs")
    -- and the file PyTorch wrote becomes a network again
    local back = assert(nn.from_torch(paths[4], net:spec()))
    assert.are.same(net:forward(x):flat(), back:forward(x):flat())
  end)
end)
