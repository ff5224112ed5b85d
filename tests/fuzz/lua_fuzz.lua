-- The Lua-level fuzzer's child: calls every public and sfew.core function and every method
-- of sample objects with generated arguments (extreme numbers, odd strings, freed tensors
-- and views, wrong self, tables with hostile metamethods from hostile.lua). Each call is
-- generated as a small Lua chunk, appended to the log before it runs, so the parent
-- (lua_run.sh) can save the chunk that crashed as a reproducer.
-- Usage: sfewlua lua_fuzz.lua SEED CALLS LOG   (run it in an empty temporary folder:
-- writers get relative paths)
local dir = arg[0]:match("^(.*)/[^/]*$") or "."
local seed, ncalls, logpath = tonumber(arg[1]) or 1, tonumber(arg[2]) or 100, arg[3]
local H = dofile(dir .. "/hostile.lua")
math.randomseed(seed)
local rnd = math.random

local function pick(list) return list[rnd(#list)] end

-- Functions and modules that only read the installed datasets or would run for minutes
-- with any valid arguments: they prove nothing here.
local skip = {
  ["sfew.data.fashion_mnist"] = true, ["sfew.data.load_default"] = true,
  ["sfew.data.default_faces"] = true, ["sfew.data.default_features"] = true,
}

-- ---- targets -------------------------------------------------------------------------

-- FUZZ_SKIP: comma-separated plain substrings; targets whose function path or receiver
-- holds one are left out (to look past a known find while its fix is pending).
local skip_text = {}
for w in (os.getenv("FUZZ_SKIP") or ""):gmatch("[^,]+") do skip_text[#skip_text + 1] = w end
local function skipped(desc)
  for _, w in ipairs(skip_text) do
    if desc:find(w, 1, true) then return true end
  end
  return false
end

local targets = {}

local function add_functions(t, path, depth, seen)
  if depth > 3 or seen[t] then return end
  seen[t] = true
  local keys = {}
  for k in pairs(t) do if type(k) == "string" then keys[#keys + 1] = k end end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local v, p = t[k], path .. "." .. k
    if type(v) == "function" and not skip[p] and not skipped(p) then
      targets[#targets + 1] = { fn = p }
    elseif type(v) == "table" and k ~= "methods" then
      add_functions(v, p, depth + 1, seen)
    end
  end
end

add_functions(H.sfew, "H.sfew", 0, {})
for _, m in ipairs { "tensor", "data", "features", "prune", "optim", "nn", "sys", "io" } do
  add_functions(require("sfew.core." .. m), ("require('sfew.core.%s')"):format(m), 0, {})
end

-- Sample receivers (each an expression) and the methods found on them.
local receivers = {
  "H.T.rand({2, 3}, H.R)", "H.T.rand({2, 1, 8, 8}, H.R)", "H.T.ones{3, 8, 8}", "H.T.zeros{0}",
  "H.T.ones{4, 2}:narrow(1, 2, 2)", "H.T.new({1}, {5})", "H.sfew.rng(3)",
  "H.nn.Linear(3, 4, {rng = H.R})", "H.nn.Conv2d(1, 2, 3, {rng = H.R})", "H.nn.ReLU()",
  "H.nn.MaxPool2d(2)", "H.nn.Flatten()", "H.nn.Sigmoid()", "H.nn.Tanh()",
  "H.nn.CrossEntropyLoss()", "H.nn.MSELoss()",
  "H.nn.Sequential{H.nn.Linear(3, 4, {rng = H.R}), H.nn.Sigmoid(), H.nn.Linear(4, 2, {rng = H.R})}",
  "H.sfew.optim.Adam(H.nn.Linear(3, 2, {rng = H.R}):parameters(), {lr = 0.1})",
  "H.sfew.optim.SGD(H.nn.Linear(3, 2, {rng = H.R}):parameters(), {lr = 0.1, momentum = 0.9})",
  "H.sfew.data.Dataset.new{x = H.T.rand({6, 3}, H.R), y = H.T.ones{6}, classes = {'a', 'b'}}",
}
local metamethods = { "__add", "__sub", "__mul", "__div", "__unm", "__len", "__tostring",
  "__index", "__newindex", "__call", "__concat", "__eq", "__lt", "__le", "__close", "__gc" }

local function methods_of(obj)
  local names, mt = {}, getmetatable(obj)
  if type(mt) ~= "table" then return names end
  local idx = rawget(mt, "__index")
  if type(idx) == "function" then
    for i = 1, 3 do
      local _, up = debug.getupvalue(idx, i)
      if type(up) == "table" then idx = up break end
    end
  end
  if type(idx) == "table" then
    for k, v in pairs(idx) do
      if type(k) == "string" and type(v) == "function" then names[#names + 1] = "." .. k end
    end
  end
  for _, k in ipairs(metamethods) do
    if type(rawget(mt, k)) == "function" then names[#names + 1] = "@" .. k end
  end
  table.sort(names)
  return names
end

for _, r in ipairs(receivers) do
  local obj = assert(load("local H = ... return " .. r))(H)
  for _, m in ipairs(methods_of(obj)) do
    if not skipped(r .. m) then targets[#targets + 1] = { recv = r, m = m } end
  end
end

-- ---- values --------------------------------------------------------------------------

local numbers = { "0", "1", "2", "3", "-1", "7", "0.5", "-0.0", "0/0", "1/0", "-1/0", "1e308",
  "math.maxinteger", "math.mininteger", "1 << 31", "1 << 32", "1 << 62", "0x5555555555555556",
  "2^53", "-2^63", "65536", "255", "180", "360", "1e-300" }
local strings = { '""', '"a"', '"café"', '"\\0"', '"\\t\\127\\255"', 'string.rep("x", 5000)',
  '"label"', '"x"', '"f.png"', '"f.csv"', '"sub/f.bin"', '"."', '"%s%n"', '"similar"',
  '"constant"', '"complementary"', '"drop"', '"error"', '"mean"', '"f.safetensors"' }
local keys = { "rng", "width", "height", "gray", "layer", "mode", "into", "value", "batch",
  "epochs", "lr", "drop", "label", "name", "na", "nclasses", "grid", "window", "bins", "levels",
  "angle", "center", "tol", "stride", "padding", "bias", "momentum", "betas", "weight_decay",
  "dir", "n", "seed", "scale", "stratified", "skip_bad", "max_pixels", "header", "threshold",
  "min_units", "similar", "complementary", "rule", "x", "y", "classes", "mean", "std", "meta",
  "tensors", "type", "params", "decorrelate", "rho", "difficulty", "noise", "occlusion",
  "in_features", "out_features", "kernel_size", "test", "verbose", "nesterov", "dampening" }
local modes = { "free", "gc", "error", "vary", "len", "all" }

local value

local function shape_expr()
  local n, parts = rnd(0, 4), {}
  for i = 1, n do parts[i] = rnd(4) == 1 and pick(numbers) or tostring(rnd(0, 9)) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

local function tensor_expr()
  local r = rnd(12)
  if r == 1 then return "H.freed()" end
  if r == 2 then return "H.orphan_view()" end
  if r == 3 then return ("H.T.full(%s, %s)"):format(shape_expr(), pick(numbers)) end
  if r == 4 then return "H.T.zeros{1 << 32, 0}" end
  if r <= 7 then return receivers[rnd(6)] end
  local dims = ({ { 2, 3 }, { 2, 1, 8, 8 }, { 1, 8, 8 }, { 3, 8, 8 }, { 4 }, { 5, 3 }, { 1 } })
  dims = dims[rnd(#dims)]
  local parts = {}
  for i, d in ipairs(dims) do parts[i] = tostring(d) end
  return ("H.T.rand({%s}, H.R)"):format(table.concat(parts, ", "))
end

local function list_expr(depth)
  local n, parts = rnd(0, 5), {}
  local kind = rnd(3)
  for i = 1, n do
    parts[i] = kind == 1 and tostring(rnd(-1, 5)) or kind == 2 and tensor_expr() or value(depth + 1)
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

local function opts_expr(depth)
  local n, parts = rnd(0, 4), {}
  for i = 1, n do parts[i] = pick(keys) .. " = " .. value(depth + 1) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function value(depth)
  depth = depth or 0
  local r = rnd(depth > 1 and 14 or 20)
  if r <= 3 then return rnd(3) == 1 and tostring(rnd(1, 10)) or pick(numbers) end
  if r == 4 then return pick(strings) end
  if r == 5 then return pick { "nil", "true", "false" } end
  if r <= 8 then return tensor_expr() end
  if r == 9 then return "H.R" end
  if r == 10 then return pick(receivers) end
  if r == 11 then return shape_expr() end
  if r <= 14 then return rnd(2) == 1 and list_expr(depth) or opts_expr(depth) end
  local base = rnd(2) == 1 and list_expr(depth) or opts_expr(depth)
  return ("H.hostile(A, %s, %q)"):format(base, pick(modes))
end

-- ---- calls ---------------------------------------------------------------------------

-- Valid calls; a third of the calls take one and replace one or two arguments, so the
-- generated values reach the code behind the first argument checks.
local templates = {
  { "H.T.cat", "{H.T.ones{1, 2}, H.T.zeros{2, 2}}" },
  { "H.T.new", "{2, 2}", "{1, 2, 3, 4}" },
  { "H.T.from", "{{1, 2}, {3, 4}}" },
  { "H.T.matmul", "H.T.ones{2, 3}", "H.T.ones{3, 4}" },
  { "H.T.ones{4, 2}.reshape", "H.T.ones{4, 2}", "{2, 4}" },
  { "H.T.ones{4, 2}.narrow", "H.T.ones{4, 2}", "1", "2", "2" },
  { "H.T.ones{4, 2}.index", "H.T.ones{4, 2}", "{1, 3}" },
  { "H.T.ones{4, 2}.get", "H.T.ones{4, 2}", "1", "2" },
  { "H.T.ones{4, 2}.set", "H.T.ones{4, 2}", "1", "2", "5" },
  { "H.T.ones{4, 2}.sum", "H.T.ones{4, 2}", "1" },
  { "H.T.ones{4, 2}.max", "H.T.ones{4, 2}", "2" },
  { "H.T.ones{4, 2}.clamp", "H.T.ones{4, 2}", "0", "1" },
  { "H.sfew.data.paste", "H.T.zeros{3, 8, 8}", "H.T.ones{3, 2, 2}", "1", "1" },
  { "H.sfew.data.draw_text", "H.T.zeros{3, 8, 8}", '"ab"', "1", "1", "1", "{1, 0, 0}" },
  { "H.sfew.data.random_patches", "H.T.rand({2, 1, 8, 8}, H.R)", "2", "5", "H.R" },
  { "require('sfew.core.data').read_csv", '"f.csv"', "{drop = {1}, label = 2}" },
  { "require('sfew.core.data').load_images", '{"f.png"}', "{skip_bad = true}" },
  { "require('sfew.core.features').lpq", "H.T.rand({16, 16}, H.R)", "{grid = {2, 2}}" },
  { "require('sfew.core.features').phog", "H.T.rand({16, 16}, H.R)", "{bins = 8, levels = 2}" },
  { "require('sfew.core.features').pca_fit", "H.T.rand({6, 4}, H.R)", "2" },
  { "require('sfew.core.features').pca_transform", "H.T.rand({6, 4}, H.R)", "H.T.zeros{4}",
    "H.T.ones{2, 4}" },
  { "require('sfew.core.features').hcat", "H.T.ones{2, 3}", "H.T.ones{2, 1}" },
  { "require('sfew.core.prune').unit_angles", "H.T.rand({6, 4}, H.R)", "{center = 0.5}" },
  { "require('sfew.core.prune').drop_rows", "H.T.ones{4, 2}", "{1, 3}" },
  { "require('sfew.core.prune').remove_inputs", "H.T.ones{2, 4}", "H.T.ones{2}", "4", "{2}",
    "{0, 1, 0, 0}" },
  { "require('sfew.core.prune').merge_unit", "H.T.ones{2, 4}", "H.T.ones{2}", "1", "2", "true" },
  { "H.sfew.optim.Adam", "{H.T.ones{2}}", "{lr = 0.1, betas = {0.9, 0.99}}" },
  { "H.sfew.prune.remove_unit", "H.nn.Sequential{H.nn.Linear(3, 4, {rng = H.R}), H.nn.Sigmoid(), "
    .. "H.nn.Linear(4, 2, {rng = H.R})}", "1", "2", "{mode = 'similar', into = 1}" },
  { "H.sfew.prune.pic_step", "H.nn.Sequential{H.nn.Linear(3, 4, {rng = H.R}), H.nn.Sigmoid(), "
    .. "H.nn.Linear(4, 2, {rng = H.R})}", "H.T.rand({5, 3}, H.R)", "{layer = 1}" },
  { "H.sfew.prune.remove_channels", "H.nn.Sequential{H.nn.Conv2d(1, 2, 3, {rng = H.R}), "
    .. "H.nn.ReLU(), H.nn.Conv2d(2, 2, 3, {rng = H.R})}", "1", "{1}" },
  { "H.sfew.rng(1).set_state", "H.sfew.rng(1)", "H.sfew.rng(2):state()" },
  { "H.sfew.io.save", '"f.safetensors"', "{a = H.T.ones{2}}" },
  { "H.sfew.io.load", '"f.safetensors"' },
  { "H.nn.Linear(3, 2, {rng = H.R}).forward", "H.nn.Linear(3, 2, {rng = H.R})", "H.T.ones{2, 3}" },
  { "H.nn.Conv2d(1, 2, 3, {rng = H.R}).forward", "H.nn.Conv2d(1, 2, 3, {rng = H.R})",
    "H.T.ones{1, 1, 5, 5}" },
}

local function template_chunk()
  local t = pick(templates)
  local args = { table.unpack(t, 2) }
  for _ = 1, rnd(2) do
    local i = rnd(#args + 1)
    args[i] = value(0)
  end
  local lines = { "local H = ...", "local A = {}" }
  for i = 1, #args do lines[#lines + 1] = ("A[%d] = %s"):format(i, args[i] or "nil") end
  lines[#lines + 1] = ("A.n = %d"):format(#args)
  lines[#lines + 1] = ("H.call(%s, A)"):format(t[1])
  return table.concat(lines, "\n") .. "\n"
end

local function call_chunk()
  if rnd(3) == 1 then return template_chunk() end
  local t = pick(targets)
  local lines, first, n = { "local H = ...", "local A = {}" }, 1, rnd(0, 6)
  local f
  if t.fn then
    f = t.fn
  else
    lines[#lines + 1] = "local self = " .. t.recv
    if t.m:sub(1, 1) == "@" then
      f = ("getmetatable(self).%s"):format(t.m:sub(2))
    else
      f = "self" .. t.m
    end
    if rnd(6) > 1 then lines[#lines + 1] = "A[1] = self"; first = 2 end
    n = math.max(n, first - 1)
  end
  for i = first, n do lines[#lines + 1] = ("A[%d] = %s"):format(i, value(0)) end
  lines[#lines + 1] = ("A.n = %d"):format(n)
  lines[#lines + 1] = ("H.call(%s, A)"):format(f)
  return table.concat(lines, "\n") .. "\n"
end

local log = logpath and assert(io.open(logpath, "a"))
local done = 0
for i = 1, ncalls do
  local chunk = call_chunk()
  if log then
    log:write(("--[[call %d seed %d]]\n"):format(i, seed), chunk)
    log:flush()
  end
  local fn = load(chunk, "=call", "t")
  if fn then pcall(fn, H) end
  if i % 25 == 0 then collectgarbage() end
  done = i
end
collectgarbage()
io.write(("calls %d (%d targets)\n"):format(done, #targets))
