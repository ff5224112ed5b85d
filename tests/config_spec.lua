-- sfew.config: the instruction set and kernels in use, and the host's choice of
-- OpenBLAS's core when the environment leaves it open.
local h = require "helpers"
local sfew = require "sfew"

-- Runs a shell command line (environment settings in front of it); returns stdout, stderr.
local function sh(line)
  local out, err = os.tmpname(), os.tmpname()
  os.execute(line .. " < /dev/null > " .. h.quote(out) .. " 2> " .. h.quote(err))
  local o = assert(io.open(out)):read("a")
  local e = assert(io.open(err)):read("a")
  os.remove(out); os.remove(err)
  return o, e
end

local host = h.quote(h.sfewlua)
local show = [[-e "local c = sfew.config(); print(c.blas_core, c.blas_isa, c.blas_chosen_by)"]]

describe("sfew.config", function()
  it("names the instruction set, the kernels, threads and version", function()
    local c = sfew.config()
    assert.is_truthy(({generic = true, avx2 = true, avx512 = true})[c.isa])
    assert.is_truthy(({generic = true, avx2 = true, avx512 = true})[c.blas_isa])
    assert.are.equal("string", type(c.blas_core))
    assert.are.equal("string", type(c.conv_kernels))
    assert.are.equal(c.isa == "generic" and "scalar" or "avx2 (8 windows a vector)", c.detect_scan)
    assert.are.equal("string", type(c.cpu))
    assert.are.equal(sfew.version, c.version)
    assert.are.equal(sfew.threads(), c.threads)
  end)
  it("switches the convolution kernels to the reference path and back", function()
    assert.are.equal("reference", sfew.config{conv = "reference"}.conv)
    assert.matches("reference", sfew.config().conv_kernels)
    assert.are.equal("auto", sfew.config{conv = "auto"}.conv)
  end)
  it("rejects unknown options and values", function()
    local ok, err = pcall(sfew.config, {kernel = "x"})
    assert.is_false(ok)
    assert.matches("bad argument #1 to '[%w.]*config' %(unknown option 'kernel'", err)
    ok, err = pcall(sfew.config, {conv = "fast"})
    assert.is_false(ok)
    assert.matches("bad argument #1 to '[%w.]*config'.*got fast", err)
  end)
end)

describe("sfewlua", function()
  it("-v names the instruction set and the kernels", function()
    local ok, out = h.run{"-v"}
    assert.is_true(ok)
    assert.matches("isa: %a+", out)
    assert.matches("blas: OpenBLAS %w+ kernels", out)
    assert.matches("conv: ", out)
  end)
  it("keeps the core the environment sets", function()
    local out = sh("env -u SFEW_BLAS_CHOSEN OPENBLAS_CORETYPE=Prescott " .. host .. " " .. show)
    assert.are.equal("Prescott\tgeneric\tenvironment\n", out)
  end)
  it("never runs generic kernels on its own choice where the CPU has AVX2", function()
    local cpu = sfew.config().isa_detected
    -- unset: whatever OpenBLAS picks, the host brings it up to the CPU
    local out = sh("env -u OPENBLAS_CORETYPE -u SFEW_BLAS_CHOSEN -u SFEW_BLAS_REEXEC " ..
      host .. " " .. show)
    local core, isa = out:match("^(%S+)\t(%S+)\t")
    assert.is_truthy(core, out)
    if cpu ~= "generic" then assert.are_not.equal("generic", isa) end
    -- a generic core left by an earlier choice of ours is replaced once
    out = sh("env -u SFEW_BLAS_REEXEC OPENBLAS_CORETYPE=Prescott SFEW_BLAS_CHOSEN=Prescott " ..
      host .. " " .. show)
    if cpu ~= "generic" then
      assert.matches("^%w+\t" .. (cpu == "avx512" and "avx" or "avx2") .. ".*\tsfewlua\n$", out)
    end
  end)
  it("warns once when sfew.so runs generic kernels nobody chose", function()
    -- the plain build's library: plain lua5.4 cannot load the sanitized one
    local lib = h.quote((h.sfewlua:gsub("[^/]+/sfewlua$", "build/?.so")))
    local _, err = sh("env OPENBLAS_CORETYPE=Prescott SFEW_BLAS_CHOSEN=Prescott lua5.4 -e " ..
      h.quote("package.cpath = " .. string.format("%q", lib:sub(2, -2)) ..
      " .. ';' .. package.cpath; require 'sfew'; require 'sfew.core.config'"))
    if sfew.config().isa_detected ~= "generic" then
      local _, n = err:gsub("sfew: OpenBLAS runs its Prescott kernels", "")
      assert.are.equal(1, n)
    end
  end)
end)
