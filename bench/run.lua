-- `make bench`: our engine against PyTorch (when Debian's python3-torch is there), the same
-- workloads in the same run, interleaved, each in its own process (so peak memory is its own).
-- Usage: sfewlua bench/run.lua [--quick] [--rounds R] [--reps K] [--threads T] [--write]
-- --write puts the tables into bench/README.md between the bench markers.
local opts = { rounds = 3, reps = 2, threads = 2, quick = false, write = false }
local given = {}
local i = 1
while arg[i] do
  local a = arg[i]
  if a == "--quick" then opts.quick = true
  elseif a == "--write" then opts.write = true
  elseif a == "--rounds" or a == "--reps" or a == "--threads" then
    opts[a:sub(3)] = math.tointeger(tonumber(arg[i + 1])) or error("bad value for " .. a)
    given[a:sub(3)] = true
    i = i + 1
  else error("unknown option " .. a) end
  i = i + 1
end
if opts.quick and not given.rounds then opts.rounds = 1 end

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "bench"
local exe = arg[-1] or "sfewlua"
local peak_exe = os.getenv("SFEW_PEAK") or (exe:match("^(.*)/[^/]*$") or ".") .. "/peak"
local T = opts.threads
local TORCH_ENV = "OMP_NUM_THREADS=" .. T .. " "
local TUNED_ENV = "MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736 "
local PY = os.getenv("SFEW_BENCH_PYTHON") or "/usr/bin/python3" -- Debian's, with python3-torch

-- OpenBLAS's kernels are the environment's (OPENBLAS_CORETYPE) when it sets them, else
-- the sfewlua host's choice (sfew.config().blas_core), as for `make run`. Our convolutions
-- run our own kernels for the detected instruction set; extra rows force AVX2 (SFEW_ISA)
-- and the im2col + OpenBLAS reference (SFEW_CONV). SFEW_BENCH_CORETYPE=SkylakeX gives our
-- workers OpenBLAS's AVX-512 kernels, with one extra row at the environment's choice.
local CORETYPE = os.getenv("SFEW_BENCH_CORETYPE")
local OURS_ENV = CORETYPE and ("OPENBLAS_CORETYPE=" .. CORETYPE .. " ") or ""
local ENV_CORE = os.getenv("OPENBLAS_CORETYPE") or "detected"

local function capture(cmd)
  local p = io.popen(cmd .. " 2>&1")
  local out = p:read("a")
  local ok = p:close()
  return out, ok
end

local function median(xs)
  if #xs == 0 then return nil end
  local s = table.move(xs, 1, #xs, 1, {})
  table.sort(s)
  local m = #s // 2
  return #s % 2 == 1 and s[m + 1] or (s[m] + s[m + 1]) / 2
end

local have_torch = select(2, capture(PY .. " -c 'import torch'"))
local torch_version = have_torch and capture(PY .. " -c 'import torch; print(torch.__version__)'")
  :gsub("%s+$", "")

-- Runs one worker; appends its times to rec.times and keeps the largest peak memory.
local function run_worker(rec, cmd)
  local out, ok = capture(cmd)
  if not ok then error("benchmark worker failed: " .. cmd .. "\n" .. out) end
  for t in out:gmatch("time (%S+)") do rec.times[#rec.times + 1] = tonumber(t) end
  local mb = tonumber(out:match("peak_mb (%S+)")) or 0
  rec.mb = math.max(rec.mb or 0, mb)
end

local function new_rec() return { times = {} } end

-- Interleaves ours, PyTorch default and PyTorch malloc-tuned, round after round.
local function measure(mode, c1, c2, n, peers, env)
  local args = ("%s %d %d %d %d %d"):format(mode, c1, c2, n, opts.reps, T)
  local r = { ours = new_rec(), torch = new_rec(), tuned = new_rec() }
  for _ = 1, opts.rounds do
    run_worker(r.ours, ("%s%s %s/work.lua %s"):format(env or OURS_ENV, exe, here, args))
    if peers and have_torch then
      run_worker(r.torch, ("%s%s %s/torch_peer.py %s"):format(TORCH_ENV, PY, here, args))
      run_worker(r.tuned, ("%s%s%s %s/torch_peer.py %s"):format(TORCH_ENV, TUNED_ENV, PY,
        here, args))
    end
  end
  for _, rec in pairs(r) do rec.med = median(rec.times) end
  return r
end

-- Floating-point work per image, counted as PyTorch's profilers do: 2 per multiply-add,
-- backward = 2 x forward (input and weight gradients, conv1's input gradient included).
local function fwd_flops(c1, c2)
  return 2 * (c1 * 25 * 68 * 86 + c2 * c1 * 25 * 30 * 39 + c2 * 10 * 13 * 7)
end

-- What our workers run: instruction set, OpenBLAS core, convolution kernels.
local function config_of(env)
  local out = capture(env .. exe .. [[ -e "local c = sfew.config(); ]] ..
    [[io.write(c.isa, '|', c.blas_core, '|', c.conv_kernels, '|', c.cpu)"]])
  local isa, core, conv, cpu = out:match("^(.-)|(.-)|(.-)|(.*)$")
  return { isa = isa or "?", core = core or "?", conv = conv or "?", cpu = cpu or "?" }
end
local CFG = config_of(OURS_ENV)

local peak_out = capture(peak_exe .. " " .. T)
-- The machine's peak is T cores' worth: T x the one-thread figure when other jobs keep the
-- T-thread run from having every core (the cores are alike).
local peak = tonumber(peak_out:match("peak %d+ (%S+)")) or error("peak: " .. peak_out)
local peak1 = tonumber(peak_out:match("peak1 (%S+)")) or 0
local peak512 = tonumber(peak_out:match("peak512 %d+ (%S+)"))
if peak512 and peak1 * T > peak then peak512 = peak512 * peak1 * T / peak end
peak = math.max(peak, peak1 * T)
local lines = {}
local function emit(s) print(s); lines[#lines + 1] = s end
local function fmt(x, f) return x and (f or "%.3f"):format(x) or "-" end
local function ratio(a, b) return (a and b) and ("%.2f"):format(a / b) or "-" end

-- "% peak" is against the FMA peak of the instruction set our kernels use.
local PEAK = { avx2 = peak, avx512 = peak512 or peak, generic = peak }
local function peak_of(isa) return PEAK[isa] or peak end
emit(("Machine: %s, %d threads; FMA peak (measured, %d threads): AVX2 %.1f GFLOP/s%s")
  :format(CFG.cpu, T, T, peak, peak512 and (", AVX-512 %.1f"):format(peak512) or ""))
emit(("Our kernels: instruction set %s; convolutions: %s; OpenBLAS (linear layers, the "
  .. "reference path): %s%s; PIC: the fused Linear-Sigmoid-Linear step")
  :format(CFG.isa, CFG.conv, CFG.core, CORETYPE and (" (OPENBLAS_CORETYPE=" .. CORETYPE
  .. " for our workers; the environment has " .. ENV_CORE .. ")") or ""))
emit(("Date: %s; peer: %s"):format(os.date("!%Y-%m-%d %H:%M UTC"), have_torch
  and ("PyTorch " .. torch_version .. " (Debian python3-torch), " .. T .. " threads")
  or "PyTorch missing (make bench-deps installs python3-torch): our numbers only"))
emit(("Medians over %d rounds x %d repetitions; times in seconds per epoch, memory = peak RSS")
  :format(opts.rounds, opts.reps))
emit("")
emit("| workload | ours s | GFLOP/s | % peak | ours MB | torch s | torch MB | tuned s "
  .. "| tuned MB | ours/tuned | ours/torch |")
emit("|---|---|---|---|---|---|---|---|---|---|---|")
local combos = opts.quick and { {16, 32} } or { {16, 32}, {12, 24}, {20, 40}, {6, 12} }
local function row(name, r, gflop, isa)
  local o, pk = r.ours.med, peak_of(isa or CFG.isa)
  emit(("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |"):format(name, fmt(o),
    gflop and fmt(gflop / o, "%.1f") or "-", gflop and fmt(100 * gflop / o / pk, "%.0f") or "-",
    fmt(r.ours.mb, "%.0f"), fmt(r.torch.med), fmt(r.torch.mb, "%.0f"), fmt(r.tuned.med),
    fmt(r.tuned.mb, "%.0f"), ratio(o, r.tuned.med), ratio(o, r.torch.med)))
end
local sweep = 0
for _, c in ipairs(combos) do
  local c1, c2 = c[1], c[2]
  local f = fwd_flops(c1, c2) * 1e-9
  local full = measure("full", c1, c2, 676, true)
  sweep = sweep + full.ours.med * 700 * 5
  row(("full (%d,%d) N=676"):format(c1, c2), full, 3 * f * 676)
  row(("mb32 (%d,%d) N=676"):format(c1, c2), measure("mb32", c1, c2, 676, true), 3 * f * 676)
  row(("infer (%d,%d) N=169"):format(c1, c2), measure("infer", c1, c2, 169, true), f * 169)
end
do -- (16,32) per instruction set, and on the reference path
  local f = 3 * fwd_flops(16, 32) * 1e-9 * 676
  if CFG.isa == "avx512" then
    local env = OURS_ENV .. "SFEW_ISA=avx2 "
    row("full (16,32), AVX2 kernels forced", measure("full", 16, 32, 676, false, env), f,
      "avx2")
    row("mb32 (16,32), AVX2 kernels forced", measure("mb32", 16, 32, 676, false, env), f,
      "avx2")
  end
  local ref = OURS_ENV .. "SFEW_CONV=reference "
  row(("full (16,32), reference conv (im2col + OpenBLAS %s)"):format(CFG.core),
    measure("full", 16, 32, 676, false, ref), f, config_of(ref).core:match("^Sky")
    and "avx512" or "avx2")
end
if CORETYPE then -- the same without the forced kernels, for comparison
  row(("full (16,32), OpenBLAS %s kernels"):format(ENV_CORE),
    measure("full", 16, 32, 676, false, ""),
    3 * fwd_flops(16, 32) * 1e-9 * 676)
end
do -- per-epoch times here are tiny: shown in milliseconds
  local r = measure("pic", 0, 0, 0, true)
  for _, rec in pairs(r) do rec.med = rec.med and rec.med * 1e3 end
  row("PIC 11-10-11, 540 rows (ms!)", r, nil)
end

emit("")
emit(("Paper sweep estimate (full-batch epochs x 700 x 5 runs%s): %.2f h")
  :format(opts.quick and ", (16,32) only" or "", sweep / 3600))
emit("")
emit("Growth with N, full-batch (16,32) epoch, ours:")
emit("")
emit("| N | s/epoch | ms/image | peak MB |")
emit("|---|---|---|---|")
for _, n in ipairs(opts.quick and { 169, 676 } or { 169, 676, 2704 }) do
  local r = measure("full", 16, 32, n, false)
  emit(("| %d | %s | %s | %s |"):format(n, fmt(r.ours.med), fmt(r.ours.med / n * 1e3, "%.2f"),
    fmt(r.ours.mb, "%.0f")))
end

emit("")
emit("Physical pruning of conv1 channels (C2 = 32, full batch, N=676), ours:")
emit("")
emit("| C1 | s/epoch | work vs C1=16 | time vs C1=16 |")
emit("|---|---|---|---|")
local base_t
for _, c1 in ipairs { 16, 13, 10 } do
  local r = measure("full", c1, 32, 676, false)
  base_t = base_t or r.ours.med
  emit(("| %d | %s | %.2f | %.2f |"):format(c1, fmt(r.ours.med),
    fwd_flops(c1, 32) / fwd_flops(16, 32), r.ours.med / base_t))
end

local st = {}
for _ = 1, 20 do
  local t0 = sfew.clock()
  os.execute(exe .. " -e ''")
  st[#st + 1] = sfew.clock() - t0
end
local base = {}
for _ = 1, 20 do
  local t0 = sfew.clock()
  os.execute("/bin/true")
  base[#base + 1] = sfew.clock() - t0
end
emit("")
emit(("Start-up, `sfewlua -e ''`: %.1f ms (median of 20; `/bin/true` through the same "
  .. "os.execute: %.1f ms)"):format(median(st) * 1e3, median(base) * 1e3))

if opts.write then
  local path = here .. "/README.md"
  local f = assert(io.open(path))
  local doc = f:read("a")
  f:close()
  local cmd = 'make bench BENCH_ARGS="' .. table.concat(arg, " ") .. '"'
  local block = "<!-- bench:begin -->\nCommand: `" .. cmd .. "`\n\n" .. table.concat(lines, "\n")
    .. "\n<!-- bench:end -->"
  doc = doc:gsub("<!%-%- bench:begin %-%->.-<!%-%- bench:end %-%->", function() return block end)
  f = assert(io.open(path, "w"))
  f:write(doc)
  f:close()
end
os.execute(("%s %s/faces.lua --reps %d"):format(exe, here, opts.quick and 3 or 5))
