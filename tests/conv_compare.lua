-- Our direct convolution kernels against the im2col + OpenBLAS reference path, for
-- tests/layers/conv2d_kernels_spec.lua (in its own process too, with SFEW_ISA set).
local sfew = require "sfew"
local nn, tensor = sfew.nn, sfew.tensor

local M = {}

-- {C, K, k, stride, padding, N, H, W}: 1 and 3 input channels, 3x3 and 5x5 kernels,
-- padding, stride 2, a batch of 1, widths and kernel counts that fill no vector.
M.SHAPES = {
  {1, 3, 3, 1, 0, 1, 7, 13}, {3, 5, 5, 1, 2, 2, 11, 19}, {3, 9, 3, 1, 1, 3, 9, 37},
  {1, 16, 5, 1, 0, 2, 12, 17}, {6, 12, 5, 1, 0, 2, 9, 23}, {3, 4, 3, 2, 1, 2, 9, 11},
  {16, 32, 5, 1, 0, 1, 10, 21},
}

-- forward, grad_in, grad_weight and grad_bias of one shape under the given kernels.
function M.run(shape, conv)
  local C, K, k, stride, pad, N, H, W = table.unpack(shape)
  local rng = sfew.rng(5)
  local l = nn.Conv2d(C, K, k, {stride = stride, padding = pad, rng = rng})
  local x = tensor.randn({N, C, H, W}, rng)
  sfew.config{conv = conv}
  local y = l:forward(x)
  local gi = l:backward(x, tensor.randn(y:size(), rng))
  sfew.config{conv = "auto"}
  return {y:clone(), gi:clone(), l.weight.grad:clone(), l.bias.grad:clone()}
end

-- The largest error over every shape, relative to each result's largest magnitude.
function M.worst_error()
  local worst = 0
  for _, s in ipairs(M.SHAPES) do
    local a, b = M.run(s, "auto"), M.run(s, "reference")
    for i = 1, 4 do
      local scale = math.max(b[i]:abs():max(), 1e-6)
      worst = math.max(worst, (a[i] - b[i]):abs():max() / scale)
    end
  end
  return worst
end

return M
