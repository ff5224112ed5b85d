-- sfew.prune on conv channels: channel_angles agrees with a direct computation and picks
-- the centre from the activation; remove_channels{into = j} merges identical channels
-- without changing the outputs; bad input raises naming the argument.
local sfew = require "sfew"
local nn, prune, tensor = sfew.nn, sfew.prune, sfew.tensor

local function err_of(f, ...)
  local ok, msg = pcall(f, ...)
  assert.is_false(ok)
  return tostring(msg)
end

local function max_diff(a, b)
  local d = a - b
  return math.max(d:max(), -d:min())
end

-- Makes output channel `dst` of conv a copy of channel `src` (kernel and bias).
local function copy_channel(conv, src, dst)
  conv.weight[dst]:copy(conv.weight[src])
  conv.bias:set(dst, conv.bias:get(src))
end

-- Angle in degrees between channels a and b of h (N x K x H x W), centred at c.
local function direct_angle(h, a, b, c)
  local va, vb = h:select(2, a):flat(), h:select(2, b):flat()
  local dot, na, nb = 0, 0, 0
  for i = 1, #va do
    local x, y = va[i] - c, vb[i] - c
    dot, na, nb = dot + x * y, na + x * x, nb + y * y
  end
  local cos = math.max(-1, math.min(1, dot / math.sqrt(na * nb)))
  return math.deg(math.acos(cos))
end

describe("sfew.prune", function()
  local rng, x
  before_each(function()
    rng = sfew.rng(11)
    x = tensor.randn({3, 1, 7, 7}, rng)
  end)

  describe(".channel_angles", function()
    it("agrees with the angles computed directly from the activations", function()
      for _, act in ipairs{ "ReLU", "Sigmoid", "Tanh" } do
        local net = nn.Sequential{ nn.Conv2d(1, 4, 3, { rng = rng }), nn[act](), nn.Flatten(),
          nn.Linear(4 * 5 * 5, 2, { rng = rng }) }
        local h = net[2]:forward(net[1]:forward(x)):clone()
        local angles, dead, got_act = prune.channel_angles(net, 1, x)
        assert.are.equal(act, got_act)
        assert.are.same({}, dead)
        assert.are.same({4, 4}, angles:shape())
        local c = act == "Sigmoid" and 0.5 or 0
        for a = 1, 4 do for b = 1, 4 do
          if a ~= b then
            assert.is_true(math.abs(angles:get(a, b) - direct_angle(h, a, b, c)) < 1e-2,
              act .. " " .. a .. "," .. b)
          end
        end end
        local a2 = prune.channel_angles(net, 1, x, { center = 0.25 })
        assert.is_true(math.abs(a2:get(1, 2) - direct_angle(h, 1, 2, 0.25)) < 1e-2)
      end
    end)
    it("uses the conv outputs themselves when no activation follows", function()
      local net = nn.Sequential{ nn.Conv2d(1, 3, 3, { rng = rng }), nn.MaxPool2d(5),
        nn.Flatten(), nn.Linear(3, 2, { rng = rng }) }
      local h = net[1]:forward(x):clone()
      local angles, _, act = prune.channel_angles(net, 1, x)
      assert.is_nil(act)
      assert.is_true(math.abs(angles:get(1, 3) - direct_angle(h, 1, 3, 0)) < 1e-2)
    end)
    it("raises on a layer that is not a Conv2d, a bad batch or unknown options", function()
      local net = nn.Sequential{ nn.Conv2d(1, 3, 3, { rng = rng }), nn.ReLU(), nn.Flatten(),
        nn.Linear(75, 2, { rng = rng }) }
      assert.has_error(function() prune.channel_angles(net, 4, x) end,
        "channel_angles: layer 4 is Linear, not Conv2d")
      local msg = err_of(prune.channel_angles, net, 1, tensor.zeros{3, 49})
      assert.matches("bad argument #3 to 'channel_angles' %(an N x C x H x W batch", msg)
      msg = err_of(prune.channel_angles, net, 1, x, { centre = 0 })
      assert.matches("bad argument #4 to 'channel_angles' %(unknown option 'centre'", msg)
      msg = err_of(prune.channel_angles, net, "1", x)
      assert.matches("bad argument #2 to 'channel_angles' %(layer index expected, got string", msg)
    end)
  end)

  describe(".remove_channels with into", function()
    it("merges identical channels into a conv without changing the outputs", function()
      local net = nn.Sequential{ nn.Conv2d(1, 4, 3, { rng = rng }), nn.ReLU(),
        nn.Conv2d(4, 2, 3, { rng = rng, padding = 1 }), nn.ReLU(), nn.Flatten(),
        nn.Linear(2 * 5 * 5, 3, { rng = rng }) }
      copy_channel(net[1], 2, 4)
      local before = net:forward(x):clone()
      local angles = prune.channel_angles(net, 1, x)
      assert.is_true(angles:get(2, 4) < 1e-2)
      prune.remove_channels(net, 1, { 4 }, { into = 2 })
      assert.are.same({3, 1, 3, 3}, net[1].weight:shape())
      assert.are.same({2, 3, 3, 3}, net[3].weight:shape())
      assert.is_true(max_diff(net:forward(x), before) < 1e-5)
    end)
    it("merges identical channels into a Linear after Flatten", function()
      local net = nn.Sequential{ nn.Conv2d(1, 3, 3, { rng = rng }), nn.Sigmoid(), nn.Flatten(),
        nn.Linear(3 * 5 * 5, 2, { rng = rng }) }
      copy_channel(net[1], 1, 2)
      copy_channel(net[1], 1, 3)
      local before = net:forward(x):clone()
      prune.remove_channels(net, 1, { 2, 3 }, { into = 1 })
      assert.are.same({1, 1, 3, 3}, net[1].weight:shape())
      assert.are.same({2, 25}, net[4].weight:shape())
      assert.is_true(max_diff(net:forward(x), before) < 1e-5)
    end)
    it("folds a complementary sigmoid channel exactly", function()
      local net = nn.Sequential{ nn.Conv2d(1, 2, 3, { rng = rng }), nn.Sigmoid(), nn.Flatten(),
        nn.Linear(2 * 5 * 5, 2, { rng = rng }) }
      -- sigmoid(-z) = 1 - sigmoid(z): channel 2 is the complement of channel 1
      net[1].weight[2]:copy(net[1].weight[1] * -1)
      net[1].bias:set(2, -net[1].bias:get(1))
      local before = net:forward(x):clone()
      assert.is_true(prune.channel_angles(net, 1, x):get(1, 2) > 179)
      prune.remove_channels(net, 1, { 2 }, { into = 1, complementary = true })
      assert.is_true(max_diff(net:forward(x), before) < 1e-5)
    end)
    it("raises on a bad into, a channel equal to into, or an unknown option", function()
      local net = nn.Sequential{ nn.Conv2d(1, 3, 3, { rng = rng }), nn.ReLU(), nn.Flatten(),
        nn.Linear(75, 2, { rng = rng }) }
      local msg = err_of(prune.remove_channels, net, 1, { 2 }, { into = 9 })
      assert.matches("bad argument #4 to 'remove_channels' %(into = 9 is not a channel", msg)
      msg = err_of(prune.remove_channels, net, 1, { 2 }, { into = 2 })
      assert.matches("bad argument #3 to 'remove_channels' %(channel 2", msg)
      msg = err_of(prune.remove_channels, net, 1, { 2 }, { intoo = 1 })
      assert.matches("unknown option 'intoo'", msg)
      assert.matches("did you mean 'into'", msg)
      assert.are.same({3, 1, 3, 3}, net[1].weight:shape()) -- nothing changed
    end)
  end)

  describe("core.merge_channel", function()
    local merge = require("sfew.core.prune").merge_channel
    it("adds a channel's weight group into another's and zeroes it", function()
      local w = tensor.new({1, 3, 2}, {1, 2, 3, 4, 5, 6})
      local b = tensor.new({1}, {0})
      merge(w, b, 3, 1, 3)
      assert.are.same({{{6, 8}, {3, 4}, {0, 0}}}, w:totable())
      assert.are.equal(0, b:get(1))
      merge(w, b, 3, 1, 2, true) -- complementary: subtract, bias gains the group's sum
      assert.are.same({{{3, 4}, {0, 0}, {0, 0}}}, w:totable())
      assert.are.equal(7, b:get(1))
    end)
    it("raises on channels out of range, equal channels and shapes that do not split", function()
      local w, b = tensor.zeros{2, 6}, tensor.zeros{2}
      assert.matches("bad argument #4 to '[%w.]*merge_channel'", err_of(merge, w, b, 3, 0, 1))
      assert.matches("bad argument #5 to '[%w.]*merge_channel'", err_of(merge, w, b, 3, 1, 1))
      assert.matches("bad argument #3 to '[%w.]*merge_channel'", err_of(merge, w, b, -1, 1, 2))
      assert.matches("6 inputs per output are not 4 channels", err_of(merge, w, b, 4, 1, 2))
      assert.matches("bad argument #2 to '[%w.]*merge_channel'", err_of(merge, w, "b", 3, 1, 2))
    end)
  end)

  it("documents both functions", function()
    local doc = require "sfew.doc"
    assert.matches("^prune%.channel_angles%(", doc.lookup(prune.channel_angles).sig)
    assert.matches("into = j", doc.lookup(prune.remove_channels).sig)
  end)
end)
