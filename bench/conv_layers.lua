-- Our convolution kernels against the im2col + OpenBLAS reference, layer by layer, on one
-- thread (CPU time per call over 64 images). Usage: sfewlua bench/conv_layers.lua
local nn, tensor = sfew.nn, sfew.tensor
sfew.threads(1)
local rng = sfew.rng(1)
local function bench(C, K, H, W, N, reps)
  local conv = nn.Conv2d(C, K, 5, {rng = rng})
  local x = tensor.rand({N, C, H, W}, rng)
  local res = {}
  for _, mode in ipairs{"reference", "auto", "reference", "auto"} do
    sfew.config{conv = mode}
    local y = conv:forward(x)
    local g = tensor.rand(y:size(), rng)
    local c0 = os.clock()
    for _ = 1, reps do conv:forward(x) end
    local c1 = os.clock()
    for _ = 1, reps do conv:backward(x, g) end
    local c2 = os.clock()
    res[#res + 1] = ("%s fwd %.1f ms bwd %.1f ms"):format(mode, (c1 - c0) / reps * 1e3,
      (c2 - c1) / reps * 1e3)
  end
  print(("C=%d K=%d %dx%d N=%d: %s"):format(C, K, H, W, N, table.concat(res, " | ")))
end
bench(1, 16, 72, 90, 64, 3)
bench(16, 32, 34, 43, 64, 3)
bench(6, 12, 34, 43, 64, 3)
bench(20, 40, 34, 43, 64, 3)
