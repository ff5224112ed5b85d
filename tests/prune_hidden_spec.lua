-- sfew.prune's hidden-unit functions on a network whose layer is not a Linear: a message
-- that says so and points to prune.channel_angles, at the caller's line.
local sfew = require "sfew"
local prune, tensor = sfew.prune, sfew.tensor

describe("sfew.prune hidden units", function()
  local net = sfew.models.paper_cnn(2, 3, { rng = sfew.rng(1) })
  local x = tensor.zeros { 1, 1, 72, 90 }

  for _, fname in ipairs { "hidden_angles", "pic_step", "distinctiveness" } do
    it(fname .. " names a Conv2d layer and points to channel_angles", function()
      local ok, err = pcall(function() local r = prune[fname](net, x) return r end)
      assert.is_false(ok)
      assert.matches("prune_hidden_spec.lua:%d+: " .. fname .. ": layer 1 is Conv2d, not Linear",
        err)
      assert.matches("prune.channel_angles", err, 1, true)
    end)
  end

  it("hidden_activations says the same", function()
    local ok, err = pcall(function() return prune.hidden_activations(net, x, 4) end)
    assert.is_false(ok)
    assert.matches("hidden_activations: layer 4 is Conv2d, not Linear", err, 1, true)
  end)
end)
