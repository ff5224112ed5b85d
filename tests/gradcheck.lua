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
-- the analytic gradient ga (flat list). Returns the worst scaled error.
local function probe(m, x, r, v, ga, rng, samples)
  local n = v:numel()
  local worst = 0
  for s = 1, math.min(samples, n) do
    local i = n <= samples and s or rng:random(n)
    local old = v[i]
    v[i] = old + M.STEP
    local up = loss(m, x, r)
    v[i] = old - M.STEP
    local down = loss(m, x, r)
    v[i] = old
    local num = (up - down) / (2 * M.STEP)
    local err = math.abs(num - ga[i]) / math.max(1, math.abs(ga[i]))
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
  local worst = probe(m, x, r, x:reshape({-1}), gi, rng, samples)
  for _, p in ipairs(m:parameters()) do
    local gp = p.grad:flat()
    worst = math.max(worst, probe(m, x, r, p:reshape({-1}), gp, rng, samples))
  end
  return worst
end

return M
