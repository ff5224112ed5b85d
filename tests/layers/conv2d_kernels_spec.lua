-- Our direct convolution kernels (AVX2 and AVX-512, chosen by cpuid) against the
-- im2col + OpenBLAS reference path (sfew.config{conv = "reference"}), on odd shapes.
local h = require "helpers"
local sfew = require "sfew"

local cmp = require "conv_compare"

describe("sfew.nn.Conv2d kernels", function()
  it("match the reference path on odd shapes (1e-5 relative)", function()
    local w = cmp.worst_error()
    assert.is_true(w < 1e-5, "relative error " .. w)
  end)

  it("match it with the AVX2 kernels forced on an AVX-512 CPU", function()
    if sfew.config().isa_detected ~= "avx512" then return end
    local f = os.tmpname()
    os.execute(("SFEW_ISA=avx2 %s -e %s > %s 2>&1"):format(h.quote(h.sfewlua), h.quote(
      "package.path = 'tests/?.lua;' .. package.path; " ..
      "assert(sfew.config().conv_kernels:match('AVX2')); " ..
      "print(require('conv_compare').worst_error())"), h.quote(f)))
    local res = assert(io.open(f)):read("a")
    os.remove(f)
    local w = tonumber(res:match("([%d.e+-]+)"))
    assert.is_truthy(w, res)
    assert.is_true(w < 1e-5, "relative error " .. w)
  end)

  it("give the same bits from the same seed, with 1 thread or 2", function()
    local old = sfew.threads()
    local r = {}
    for t = 1, 2 do
      sfew.threads(t)
      r[t] = cmp.run(cmp.SHAPES[5], "auto")
    end
    sfew.threads(old)
    for i = 1, 4 do assert.are.equal(0, (r[1][i] - r[2][i]):abs():max()) end
  end)

  it("are named by sfew.config", function()
    local c = sfew.config()
    if c.isa ~= "generic" then assert.matches("direct", c.conv_kernels) end
    sfew.config{conv = "reference"}
    assert.matches("reference", sfew.config().conv_kernels)
    sfew.config{conv = "auto"}
  end)
end)
