-- sfew.doc: the documentation registry behind help(). Each module registers its own
-- functions, classes and methods in its own Lua file, at load time:
--   local doc = require "sfew.doc"
--   doc.register(M.Linear, "nn.Linear(in, out [, {rng}])", "A fully connected layer.")
--   doc.register("sfew.Linear", "Linear", "...")   -- a type, by its metatable name
-- Docs of the C core (sfew.rng, sfew.tensor, tensor methods) are at the end of this file
-- and register on the first lookup.
local argcheck = require "sfew.argcheck"
local sys = require "sfew.core.sys"
local tensor = require "sfew.core.tensor"
local register_tensor_view = require "sfew.doc_tensor_view"

local M = {}

-- value -> list of entries (one C function may serve under two names, e.g. reshape/view);
-- weak keys, so a registration never keeps a freed object alive.
local by_value = setmetatable({}, { __mode = "k" })
local by_name = {} -- "sfew.tensor.zeros", "Tensor:reshape", "sfew.Tensor" -> entry
local core_loaded = false

-- The name a signature documents: "sfew.tensor.zeros(shape)" -> "sfew.tensor.zeros".
local function sig_name(sig)
  return sig:match("^([%w_%.:]+)") or sig
end

-- Last component of a name: "t:reshape" -> "reshape".
local function short_name(name)
  return name:match("[%.:]([%w_]+)$") or name
end

-- Registers documentation for a value (function, table, userdata) or a name (a string,
-- e.g. a metatable name such as "sfew.Tensor"), with an optional example (one line of
-- code). Returns the value, so it can wrap a definition:
-- M.f = doc.register(function ... end, "M.f(x)", "...").
function M.register(value, signature, description, example)
  if type(signature) ~= "string" then
    argcheck.error(2, "register", "signature string expected")
  end
  local entry = { sig = signature, desc = (description or ""):gsub("%s+$", ""),
    name = sig_name(signature), example = example }
  if type(value) == "string" then
    by_name[value] = entry
  elseif value ~= nil then
    local list = by_value[value] or {}
    list[#list + 1] = entry
    by_value[value] = list
  else
    argcheck.error(1, "register", "value or name expected")
  end
  by_name[entry.name] = by_name[entry.name] or entry
  return value
end

-- Registers many at once: doc.table(tbl, {key = {signature, description [, example]}}); keys
-- missing from tbl, and numbers, strings and booleans (which are no identity to look up
-- by), are registered by name only.
function M.table(tbl, docs)
  argcheck.type(tbl, "table", 1, "table")
  argcheck.type(docs, "table", 2, "table")
  for key, d in pairs(docs) do
    local v = rawget(tbl, key)
    if v == nil then v = tbl[key] end
    local tv = type(v)
    local has_identity = tv == "function" or tv == "table" or tv == "userdata"
    M.register(has_identity and v or d[1], d[1], d[2], d[3])
  end
end

-- The method table behind a type, by its metatable name ("sfew.Linear"): what an object's
-- __index gives (its __methods when __index is a function); nil for an unknown name.
function M.methods(type_name)
  local mt = debug.getregistry()[type_name]
  if type(mt) ~= "table" then return nil end
  local index = rawget(mt, "__index")
  if type(index) == "table" then return index end
  local methods = rawget(mt, "__methods")
  return type(methods) == "table" and methods or nil
end

-- The modules of the index help() prints, in this order (the rest follow sorted).
local index_order = { "tensor", "nn", "models", "optim", "train", "fit", "data", "prune",
  "io", "checkpoint", "features", "experiment", "cli", "report", "plot", "progress", "paper" }

-- One {name, description} per module of sfew (the lazily loaded ones included): the
-- index help() prints with no argument.
function M.index()
  local root = package.loaded.sfew
  local names, seen, out = {}, {}, {}
  if type(root) ~= "table" then return out end
  local mt = getmetatable(root)
  local lazy = type(mt) == "table" and rawget(mt, "__fields") or {}
  for _, k in ipairs(index_order) do names[#names + 1], seen[k] = k, true end
  local rest = {}
  for k, v in pairs(root) do
    if type(k) == "string" and type(v) == "table" and not seen[k] then rest[#rest + 1] = k end
  end
  for _, k in ipairs(lazy) do
    if not seen[k] and rawget(root, k) == nil then rest[#rest + 1] = k end
  end
  table.sort(rest)
  for _, k in ipairs(rest) do names[#names + 1] = k end
  for _, k in ipairs(names) do
    local ok, mod = pcall(function() return root[k] end)
    if ok and type(mod) == "table" then
      local e = M.lookup(mod)
      out[#out + 1] = { name = "sfew." .. k, desc = e and e.desc or "" }
    end
  end
  return out
end

-- ---- documentation of the C core ------------------------------------------------------
-- What has no Lua file of its own: the sfew root functions (rng, clock, threads),
-- sfew.tensor and the tensor methods. Registered on the first lookup, so nothing is paid
-- until help() is used.

local function register_root_and_rng()
  local root = package.loaded.sfew
  if type(root) == "table" then
    M.register(root, "sfew",
      "The engine: tensor, nn, models, optim, prune, data, io, train, rng; help() lists them.")
    if root.config then
      M.register(root.config, "sfew.config([{conv = \"auto\" | \"reference\"}])",
        "What runs: cpu, isa (detected and used), the OpenBLAS core and who chose it, the "
          .. "convolution kernels, the Haar face scan (detect_scan), threads, version; with conv, "
          .. "forces the reference "
          .. "(im2col + OpenBLAS) convolutions or returns to the fast ones.",
        "print(sfew.config().conv_kernels)")
    end
  end

  M.table(sys, {
    rng = { "sfew.rng(seed)", "A new random generator (xoshiro256**) seeded with an integer." },
    default_rng = { "sfew.default_rng()", "The generator used when a function gets no {rng = r}." },
    manual_seed = { "sfew.manual_seed(seed)", "Reseeds the default generator." },
    clock = { "sfew.clock()", "Monotonic wall-clock time in seconds, for timing." },
    threads = { "sfew.threads([n])", "Sets (with n) or returns the engine and BLAS thread count." },
    isatty = { "sfew.isatty([fd])", "True when descriptor fd (default 1: stdout) is a terminal." },
  })
  M.register("sfew.version", "sfew.version", "The version of the engine, a string.")

  M.register("sfew.Rng", "Rng", "A random generator from sfew.rng(seed).")
  local rng_methods = getmetatable(sys.rng(1)).__index
  if type(rng_methods) == "table" then
    M.table(rng_methods, {
      uniform = {"r:uniform([a [, b]])", "A number drawn uniformly from [a, b) (default [0, 1))."},
      normal = { "r:normal([mean [, std]])", "A number from a normal distribution." },
      random = { "r:random([m [, n]])", "An integer in [m, n], as math.random." },
      permutation = { "r:permutation(n)", "A random permutation of 1..n as a Lua list." },
      seed = { "r:seed(n)", "Reseeds this generator." },
      clone = { "r:clone()", "An independent generator in the same state." },
      state = { "r:state()", "The generator state, to restore with r:set_state." },
      set_state = { "r:set_state(s)", "Restores a state from r:state()." },
    })
  end
end

local function register_tensor_functions()
  M.register(tensor, "sfew.tensor", "float32 tensors, row-major; methods in sfew.tensor.methods.")
  M.table(tensor, {
    new = {"sfew.tensor.new(shape [, flat])", "A tensor of the shape, from a flat list or zeros."},
    zeros = { "sfew.tensor.zeros(shape)", "A tensor of zeros; shape is a list of sizes." },
    ones = { "sfew.tensor.ones(shape)", "A tensor of ones." },
    full = { "sfew.tensor.full(shape, value)", "A tensor filled with value." },
    rand = { "sfew.tensor.rand(shape [, rng])", "Uniform numbers in [0, 1) drawn from rng." },
    randn = { "sfew.tensor.randn(shape [, rng])", "Standard normal numbers drawn from rng." },
    from = { "sfew.tensor.from(nested)", "A tensor from nested Lua lists, e.g. {{1, 2}, {3, 4}}." },
    is_tensor = { "sfew.tensor.is_tensor(x)", "True when x is a tensor." },
    matmul = {"sfew.tensor.matmul(a, b)", "Matrix product of two 2-D tensors (also a:matmul(b))."},
    cat = { "sfew.tensor.cat{a, b, ...}", "Stacks tensors along dimension 1 (a copy)." },
  })
end

local function register_tensor_methods()
  M.register(tensor.methods, "sfew.tensor.methods", "The tensor method table (add methods here).")

  M.register("sfew.Tensor", "Tensor",
    "A float32 tensor: t:shape(), t[i], t.grad, + - * / and the methods in sfew.tensor.methods.")
  M.table(tensor.methods, {
    shape = { "t:shape()", "The sizes as a Lua list." },
    size = { "t:size(d)", "The size of dimension d (1-based)." },
    dim = { "t:dim()", "The number of dimensions." },
    numel = { "t:numel()", "The number of elements." },
    reshape = {"t:reshape(shape)", "A view with a new shape (shares storage; one size may be -1)."},
    view = { "t:view(shape)", "Same as t:reshape(shape)." },
    narrow = { "t:narrow(1, start, len)", "A view of rows start .. start + len - 1 (dim 1 only)." },
    select = { "t:select(i)", "A view of row i, one dimension less." },
    index = { "t:index(rows)", "A copy of the listed rows (a Lua list or tensor of indices)." },
    clone = { "t:clone()", "A copy with its own storage." },
    get = { "t:get(i, j, ...)", "The element at the 1-based indices." },
    set = { "t:set(i, j, ..., v)", "Writes v at the 1-based indices." },
    totable = { "t:totable()", "The values as nested Lua lists." },
    flat = { "t:flat()", "The values as one flat Lua list, row-major." },
    item = { "t:item()", "The value of a one-element tensor." },
    copy = { "t:copy(src)", "Copies src (same number of elements) into t; returns t." },
    fill = { "t:fill(v)", "Sets every element to v; returns t." },
    zero = { "t:zero()", "Sets every element to 0; returns t." },
    add_ = { "t:add_(x [, alpha])", "In place t += alpha * x (x a tensor or a number)." },
    mul_ = { "t:mul_(s)", "In place t *= s." },
    matmul = { "t:matmul(b)", "Matrix product with a 2-D tensor b." },
    sum = { "t:sum([dim])", "The sum of all elements, or a tensor summed over dim." },
    mean = { "t:mean([dim])", "The mean of all elements, or over dim." },
    max = { "t:max([dim])", "The largest element, or the maxima over dim." },
    min = { "t:min([dim])", "The smallest element, or the minima over dim." },
    argmax = { "t:argmax([dim])", "1-based index of the largest element (over dim)." },
    all_finite = { "t:all_finite()", "True when no element is NaN or infinite." },
    sqrt = { "t:sqrt()", "Element-wise square root (a new tensor)." },
    exp = { "t:exp()", "Element-wise exponential (a new tensor)." },
    log = { "t:log()", "Element-wise natural logarithm (a new tensor)." },
    abs = { "t:abs()", "Element-wise absolute value (a new tensor)." },
    pow = { "t:pow(p)", "Element-wise power p (a new tensor)." },
    clamp = { "t:clamp(lo, hi)", "Values limited to [lo, hi] (a new tensor)." },
    t = { "t:t()", "Transpose of a 2-D tensor (a copy)." },
    free = { "t:free()", "Releases the storage now instead of at garbage collection." },
  })
end

local function load_core()
  if core_loaded then return end
  core_loaded = true
  register_root_and_rng()
  register_tensor_functions()
  register_tensor_view(M) -- first, so its any-dimension signatures win
  register_tensor_methods()
end

-- The entry for a value, or nil. key (optional) picks among several names of one value,
-- preferring a method ("t:matmul") when method is true and a function otherwise.
function M.lookup(value, key, method)
  load_core()
  if type(value) == "string" then -- "sfew.train.step" finds "train.step" too
    return by_name[value] or by_name[(value:gsub("^sfew%.", ""))]
  end
  local list = by_value[value]
  if list then
    local best
    for _, e in ipairs(list) do
      if not key or short_name(e.name) == key then
        if (e.name:find(":", 1, true) ~= nil) == (method == true) then return e end
        best = best or e
      end
    end
    return best or list[1]
  end
  -- An object: its class (a metatable documented by value), or its type by __name.
  local tv = type(value)
  local mt = (tv == "userdata" or tv == "table") and getmetatable(value)
  if type(mt) ~= "table" then return nil end
  list = by_value[mt]
  if list then return list[1] end
  local tname = rawget(mt, "__name")
  if type(tname) == "string" then return by_name[tname] end
  return nil
end

M.short_name = short_name

-- ---- documentation (help) -------------------------------------------------------------
M.register(M, "sfew.doc", "The documentation registry behind help() and ?x.")
M.table(M, {
  register = { "doc.register(value | type_name, signature, description [, example])",
    "Documents a function, table or userdata (or a type by its metatable name); returns value. "
    .. "", "doc.register(M.f, \"mymod.f(x)\", \"What f does.\")" },
  table = { "doc.table(tbl, {key = {signature, description [, example]}, ...})",
    "Documents many fields of tbl at once." },
  methods = { "doc.methods(type_name)", "The method table of a type such as \"sfew.Linear\"." },
  index = { "doc.index()", "{name, desc} for each sfew module: what help() lists." },
  lookup = { "doc.lookup(value | name [, key [, method]])",
    "The entry {sig, desc, name, example} of a value, object or name; nil when undocumented." },
  short_name = { "doc.short_name(name)", "The last component of a name: t:reshape -> reshape." },
})
return M
