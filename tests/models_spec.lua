local models = require "sfew.models"
local sfew = require "sfew"
local tensor = require "sfew.tensor"
local sys = require "sfew.core.sys"

describe("sfew.models", function()
  describe(".paper_cnn", function()
    it("builds the paper's CNN for 72x90 faces and 7 classes", function()
      local net = models.paper_cnn(4, 6, {rng = sys.rng(1)})
      local types = {}
      for i, s in ipairs(net:spec().layers) do types[i] = s.type end
      assert.are.same({"Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten",
                       "Linear"}, types)
      assert.are.same({type = "Linear", in_features = 6 * 10 * 13, out_features = 7,
                       bias = true}, net:spec().layers[8])
      assert.are.same({2, 7}, net:forward(tensor.zeros({2, 1, 72, 90})):shape())
      assert.are.equal(models, sfew.models)
    end)

    it("sizes the classifier from height, width, classes and in_channels", function()
      local net = models.paper_cnn(2, 3, {height = 40, width = 52, classes = 3,
                                          in_channels = 2})
      -- 40 -> 36 -> 18 -> 14 -> 4; 52 -> 48 -> 24 -> 20 -> 6
      assert.are.same({type = "Linear", in_features = 3 * 4 * 6, out_features = 3,
                       bias = true}, net:spec().layers[8])
      assert.are.same({1, 3}, net:forward(tensor.zeros({1, 2, 40, 52})):shape())
    end)

    it("draws the same weights from the same seed", function()
      local a = models.paper_cnn(2, 3, {rng = sys.rng(5)}):parameters()
      local b = models.paper_cnn(2, 3, {rng = sys.rng(5)}):parameters()
      for i = 1, #a do assert.are.same(a[i]:flat(), b[i]:flat()) end
    end)

    it("rejects bad sizes and options", function()
      for _, case in ipairs {
        {function() return models.paper_cnn(0, 3) end, "bad argument #1 to 'paper_cnn'"},
        {function() return models.paper_cnn(2, 1.5) end, "bad argument #2 to 'paper_cnn'"},
        {function() return models.paper_cnn(2, 3, {widt = 9}) end, "did you mean 'width'"},
        {function() return models.paper_cnn(2, 3, {height = 12}) end, "too small"},
        {function() return models.paper_cnn(2, 3, {classes = -1}) end, "option 'classes'"},
      } do
        local ok, err = pcall(case[1])
        assert.is_false(ok)
        assert.matches(case[2], err, 1, true)
      end
    end)
  end)
end)
