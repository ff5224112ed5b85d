-- Documentation of the C core that has no Lua file of its own: the sfew root functions
-- (rng, clock, threads), sfew.tensor and the tensor methods. Loaded by sfew.doc on demand.
local doc = require "sfew.doc"
local sys = require "sfew.core.sys"
local tensor = require "sfew.core.tensor"
require "sfew.doc_tensor_view" -- first, so its any-dimension signatures win

local root = package.loaded.sfew
if type(root) == "table" then
  doc.register(root, "sfew", "The engine: tensor, nn, optim, prune, data, io, train, and rng.")
end

doc.table(sys, {
  rng = { "sfew.rng(seed)", "A new random generator (xoshiro256**) seeded with an integer." },
  default_rng = { "sfew.default_rng()", "The generator used when a function gets no {rng = r}." },
  manual_seed = { "sfew.manual_seed(seed)", "Reseeds the default generator." },
  clock = { "sfew.clock()", "Monotonic wall-clock time in seconds, for timing." },
  threads = { "sfew.threads([n])", "Sets (with n) or returns the engine and BLAS thread count." },
})

doc.register("sfew.Rng", "Rng", "A random generator from sfew.rng(seed).")
local rng_methods = getmetatable(sys.rng(1)).__index
if type(rng_methods) == "table" then
  doc.table(rng_methods, {
    uniform = { "r:uniform([a [, b]])", "A number drawn uniformly from [a, b) (default [0, 1))." },
    normal = { "r:normal([mean [, std]])", "A number from a normal distribution." },
    random = { "r:random([m [, n]])", "An integer in [m, n], as math.random." },
    permutation = { "r:permutation(n)", "A random permutation of 1..n as a Lua list." },
    seed = { "r:seed(n)", "Reseeds this generator." },
    clone = { "r:clone()", "An independent generator in the same state." },
    state = { "r:state()", "The generator state, to restore with r:set_state." },
    set_state = { "r:set_state(s)", "Restores a state from r:state()." },
  })
end

doc.register(tensor, "sfew.tensor", "float32 tensors, row-major; methods in sfew.tensor.methods.")
doc.table(tensor, {
  new = { "sfew.tensor.new(shape [, flat])", "A tensor of the shape, from a flat list or zeros." },
  zeros = { "sfew.tensor.zeros(shape)", "A tensor of zeros; shape is a list of sizes." },
  ones = { "sfew.tensor.ones(shape)", "A tensor of ones." },
  full = { "sfew.tensor.full(shape, value)", "A tensor filled with value." },
  rand = { "sfew.tensor.rand(shape [, rng])", "Uniform numbers in [0, 1) drawn from rng." },
  randn = { "sfew.tensor.randn(shape [, rng])", "Standard normal numbers drawn from rng." },
  from = { "sfew.tensor.from(nested)", "A tensor from nested Lua lists, e.g. {{1, 2}, {3, 4}}." },
  is_tensor = { "sfew.tensor.is_tensor(x)", "True when x is a tensor." },
  matmul = { "sfew.tensor.matmul(a, b)", "Matrix product of two 2-D tensors (also a:matmul(b))." },
  cat = { "sfew.tensor.cat{a, b, ...}", "Stacks tensors along dimension 1 (a copy)." },
})
doc.register(tensor.methods, "sfew.tensor.methods", "The tensor method table (add methods here).")

doc.register("sfew.Tensor", "Tensor",
  "A float32 tensor: t:shape(), t[i], t.grad, + - * / and the methods in sfew.tensor.methods.")
doc.table(tensor.methods, {
  shape = { "t:shape()", "The sizes as a Lua list." },
  size = { "t:size(d)", "The size of dimension d (1-based)." },
  dim = { "t:dim()", "The number of dimensions." },
  numel = { "t:numel()", "The number of elements." },
  reshape = { "t:reshape(shape)", "A view with a new shape (shares storage; one size may be -1)." },
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

return true
