-- Finite-difference gradient checks for modules (central differences in float32).
-- The scalar checked is L = sum(forward(x) * R) for a fixed random R, so dL/dout = R.
local tensor = require "sfew.tensor"

local M = {}

M.STEP = 1e-2 -- float32: a smaller step drowns in rounding
M.TOL = 1e-2  -- |numeric - analytic| <= TOL * max(1, |analytic|)

local function loss(m, x, r)
  local out = m:forward(x)
  return (out * r):sum()
end

-- Checks up to `samples` entries (every entry when fewer) of a flat view v against
-- the analytic gradient ga (flat list) of the scalar f(). Returns the worst error, scaled
-- by max(1, |analytic|) unless absolute.
local function probe(f, v, ga, rng, samples, absolute)
  local n = v:numel()
  local worst = 0
  for s = 1, math.min(samples, n) do
    local i = n <= samples and s or rng:random(n)
    local old = v[i]
    v[i] = old + M.STEP
    local up = f()
    v[i] = old - M.STEP
    local down = f()
    v[i] = old
    local num = (up - down) / (2 * M.STEP)
    local err = math.abs(num - ga[i])
    if not absolute then err = err / math.max(1, math.abs(ga[i])) end
    if err > worst then worst = err end
  end
  return worst
end

-- Returns the worst error over the input and every parameter of m at x.
function M.check(m, x, rng, samples)
  samples = samples or 24
  local out = m:forward(x)
  local r = tensor.randn(out:shape(), rng)
  m:zero_grad()
  local gi = m:backward(x, r):flat()
  local function f() return loss(m, x, r) end
  local worst = probe(f, x:reshape({-1}), gi, rng, samples)
  for _, p in ipairs(m:parameters()) do
    local gp = p.grad:flat()
    worst = math.max(worst, probe(f, p:reshape({-1}), gp, rng, samples))
  end
  return worst
end

-- The worst absolute error of criterion c's gradient over every entry of x (target t).
function M.criterion(c, x, t)
  local g = c:backward(x, t):flat()
  return probe(function() return c:forward(x, t) end, x:reshape({-1}), g, nil, math.huge, true)
end

return M
