-- sfew.data: images, image folders, the SFEW feature table, Fashion-MNIST and synthetic
-- faces (decoding and parsing in C, sfew.core.data) and the Dataset class (pure Lua).
local argcheck = require "sfew.argcheck"
local core = require "sfew.core.data"
local sys = require "sfew.core.sys"
local tensor = require "sfew.tensor"

local M = {}

-- The canonical SFEW class order; label k is classes[k].
M.classes = { "Angry", "Disgust", "Fear", "Happy", "Neutral", "Sad", "Surprise" }

M.load_image = core.load_image
M.write_png = core.write_png
M.list_dir = core.list_dir
M.paste = core.paste
M.draw_text = core.draw_text
-- Augmentation (sfew.augment): data.augment{data.flip(), data.shift(4), ...}:apply(x, rng).
for k, f in pairs(require "sfew.augment") do M[k] = f end

-- Dataset -------------------------------------------------------------------------------

local Dataset = {}
Dataset.__index = Dataset
M.Dataset = Dataset

local function count_labels(y, nclasses)
  local counts = {}
  for k = 1, nclasses do counts[k] = 0 end
  for _, v in ipairs(y:flat()) do
    counts[v] = (counts[v] or 0) + 1
  end
  return counts
end

-- Dataset.new{x = N x ..., y = N labels, classes = {...}, paths = {...} | names = {...}}
function Dataset.new(t)
  if type(t) ~= "table" or not tensor.is_tensor(t.x) then
    error("Dataset.new: want a table with a tensor x", 2)
  end
  if t.y and (not tensor.is_tensor(t.y) or t.y:numel() ~= t.x:size(1)) then
    error("Dataset.new: y must be a tensor with one label per row of x", 2)
  end
  local ds = setmetatable({}, Dataset)
  for k, v in pairs(t) do ds[k] = v end
  ds.classes = ds.classes or M.classes
  if ds.y then ds.counts = count_labels(ds.y, #ds.classes) end
  return ds
end

function Dataset:__len()
  return self.x:size(1)
end

function Dataset:__tostring()
  return ("sfew.Dataset(%d samples, x %s, %d classes)"):format(
    #self, table.concat(self.x:shape(), "x"), #self.classes)
end

local function pick(list, idx)
  if not list then return nil end
  local out = {}
  for i, k in ipairs(idx) do out[i] = list[k] end
  return out
end

-- A new dataset of the rows idx (1-based list), copying them.
function Dataset:subset(idx)
  if type(idx) ~= "table" then error("bad argument #1 to 'subset' (list expected)", 2) end
  local n = #self
  for _, k in ipairs(idx) do
    if math.type(k) ~= "integer" or k < 1 or k > n then
      error(("bad argument #1 to 'subset' (index %s out of 1..%d)"):format(tostring(k), n), 2)
    end
  end
  local t = {}
  for k, v in pairs(self) do t[k] = v end
  t.x = self.x:index(idx)
  t.y = self.y and self.y:index(idx)
  t.paths, t.names = pick(self.paths, idx), pick(self.names, idx)
  return Dataset.new(t)
end

local function default_rng(rng, fname, pos)
  if rng == nil then return sys.default_rng() end
  if type(rng) ~= "userdata" or not rng.permutation then
    error(("bad argument #%d to '%s' (sfew.Rng expected)"):format(pos, fname), 3)
  end
  return rng
end

-- Shuffles the rows in place; returns self.
function Dataset:shuffle(rng)
  rng = default_rng(rng, "shuffle", 1)
  local s = self:subset(rng:permutation(#self))
  self.x, self.y, self.paths, self.names = s.x, s.y, s.paths, s.names
  return self
end

local function stratified_order(self, fraction, rng)
  local by_class, first, second = {}, {}, {}
  for i, c in ipairs(self.y:flat()) do
    by_class[c] = by_class[c] or {}
    table.insert(by_class[c], i)
  end
  for c = 1, #self.classes do
    local rows = by_class[c] or {}
    local perm = #rows > 0 and rng:permutation(#rows) or {}
    local cut = math.floor(#rows * fraction + 0.5)
    for j, p in ipairs(perm) do
      table.insert(j <= cut and first or second, rows[p])
    end
  end
  return first, second
end

local SPLIT_OPTIONS = argcheck.set { "stratified" }

-- Splits into two new datasets, the first with about fraction of the rows:
-- ds:split(0.8, rng [, {stratified = true}]) keeps class proportions in both parts.
function Dataset:split(fraction, rng, opts)
  if type(fraction) ~= "number" or not (fraction >= 0 and fraction <= 1) then -- NaN too
    error("bad argument #1 to 'split' (fraction in 0..1 expected)", 2)
  end
  rng = default_rng(rng, "split", 2)
  argcheck.options(opts, SPLIT_OPTIONS, 3, "split")
  local first, second = {}, {}
  if opts and opts.stratified and self.y then
    first, second = stratified_order(self, fraction, rng)
    -- Both parts in random order, not grouped by class.
    local p1, p2 = rng:permutation(#first), rng:permutation(#second)
    first, second = pick(first, p1), pick(second, p2)
  else
    local perm, cut = rng:permutation(#self), math.floor(#self * fraction + 0.5)
    for j, p in ipairs(perm) do table.insert(j <= cut and first or second, p) end
  end
  return self:subset(first), self:subset(second)
end

local function has_nan(v)
  if type(v) == "number" then return v ~= v end
  for _, e in ipairs(type(v) == "table" and v or {}) do
    if e ~= e then return true end
  end
  return false
end

-- Standardises x in place: images with one mean and deviation over all pixels (as the
-- paper does), tables per feature column. Pass the training part's stats to normalise
-- the test part the same way. Returns the {mean, std} used.
function Dataset:normalize(stats)
  if stats ~= nil and (type(stats) ~= "table" or stats.mean == nil or stats.std == nil) then
    error("bad argument #1 to 'normalize' ({mean, std} expected)", 2)
  end
  local x = self.x
  if not stats and x:numel() == 0 then
    error("normalize: the dataset is empty, so it has no statistics (pass another part's)", 2)
  end
  if not stats then
    if x:dim() == 2 then
      local m = x:mean(1)
      local var = ((x - m) * (x - m)):mean(1):flat()
      local sd = {}
      for k, v in ipairs(var) do sd[k] = math.max(math.sqrt(v), 1e-12) end
      stats = { mean = m:flat(), std = sd }
    else
      local m = x:mean()
      local d = x - m
      stats = { mean = m, std = math.max(math.sqrt((d * d):mean()), 1e-12) }
    end
  end
  local m, s = stats.mean, stats.std
  if has_nan(m) or has_nan(s) then error("bad argument #1 to 'normalize' (stats hold NaN)", 2) end
  if type(m) == "table" then
    local f = #m
    if x:dim() ~= 2 or x:size(2) ~= f or #s ~= f then
      error("bad argument #1 to 'normalize' (per-column stats need a rows x columns x)", 2)
    end
    m, s = tensor.new({ 1, f }, m), tensor.new({ 1, f }, s)
  end
  x:copy((x - m) / s)
  return stats
end

-- for x, y in ds:batches(size, rng) do ... end: shuffled minibatches (the last may be
-- smaller).
function Dataset:batches(size, rng)
  if math.type(size) ~= "integer" or size < 1 then
    error("bad argument #1 to 'batches' (positive integer expected)", 2)
  end
  rng = default_rng(rng, "batches", 2)
  local n = #self
  local perm = n > 0 and rng:permutation(n) or {}
  local at = 1
  return function()
    if at > n then return nil end
    local idx = table.move(perm, at, math.min(at + size - 1, n), 1, {})
    at = at + size
    return self.x:index(idx), self.y and self.y:index(idx)
  end
end

local folder = require "sfew.data.folder"
folder.install(M, core, Dataset)
local tables = require "sfew.data.tables"
tables.install(M, core, Dataset)

M.random_patches = core.random_patches
local faces = require "sfew.faces"
M.face_detector, M.crop = faces.face_detector, faces.crop

-- Options are checked by name: an unknown key raises naming it and the function, with
-- the closest known one ("did you mean"); the C functions (load_image) check their own.
-- The wrappers tail-call, so the functions' own errors still point at the caller.
local function checked(fname, f, pos, allowed)
  allowed = argcheck.set(allowed)
  return function(...)
    argcheck.options((select(pos, ...)), allowed, pos, fname)
    return f(...)
  end
end

M.image_folder = checked("image_folder", M.image_folder, 2,
  { "width", "height", "gray", "skip_bad", "classes", "quiet", "crop", "detector", "margin",
    "align" })
M.fashion_mnist = checked("fashion_mnist", M.fashion_mnist, 2, { "test_only", "pad" })
-- load_default hands its options to default_faces too
M.load_default = checked("load_default", M.load_default, 1,
  { "dir", "n", "seed", "width", "height", "gray", "difficulty", "gray_load", "quiet" })

local CSV_OPTIONS = argcheck.set { "header", "label", "name", "drop", "na", "nclasses",
  "quiet", "classes" }
local read_csv = M.read_csv

-- read_csv(path [, opts]): the label column is the one headed "label" unless opts.label
-- names another (a header name or a column number) or is false (a table without
-- labels: no y). A table with no "label" column and no opts.label is refused, rather
-- than some column being taken as the label without a word.
function M.read_csv(path, opts)
  argcheck.options(opts, CSV_OPTIONS, 2, "read_csv")
  if opts ~= nil and opts.label ~= nil then return read_csv(path, opts) end
  local o = { label = "label" }
  for k, v in pairs(opts or {}) do o[k] = v end
  local ok, ds, err = pcall(read_csv, path, o)
  if ok then return ds, err end
  ds = tostring(ds)
  if ds:find("option 'label': no column named 'label'", 1, true) then
    argcheck.error(2, "read_csv", ("'%s' has no column headed 'label': name the label column "
      .. "({label = \"name\"} or a column number) or pass {label = false} for a table without "
      .. "labels"):format(tostring(path)))
  end
  error(ds, 2)
end

-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "sfew.data", "Images, image folders, CSV tables, Fashion-MNIST, synthetic "
  .. "faces, augmentation, and the Dataset class.")
doc.table(M, {
  classes = { "data.classes", "The SFEW class names in label order: label k is classes[k]." },
  load_image = { "data.load_image(path [, {width, height, gray = false}])",
    "A C x H x W tensor in [0, 1] (resized when width and height are given); nil, message." },
  write_png = { "data.write_png(image, path)",
    "Writes a C x H x W tensor in [0, 1] as PNG; true, or nil, message." },
  list_dir = { "data.list_dir(path)",
    "The entry names of a folder (sorted) and a list of is-folder flags; nil, message." },
  paste = { "data.paste(dst, src, row, col)",
    "Copies image src into image dst with its top-left corner at (row, col), 1-based." },
  draw_text = { "data.draw_text(dst, text, row, col [, scale [, {r, g, b}]])",
    "Writes ASCII text into image dst, top-left at (row, col), in a bitmap font scaled by "
    .. "scale, in colour {r, g, b}." },
  random_patches = { "data.random_patches(images, k, count [, rng])",
    "count random k x k patches of the N x C x H x W images, as count x (C*k*k)." },
  image_folder = { "data.image_folder(root [, {width = 90, height = 72, gray = true, "
    .. "skip_bad = false, classes = data.classes, quiet = false}])",
    "A Dataset of the images under root/<Class>/ (N x C x H x W in [0, 1], 1-based labels); "
    .. "nil, message. ", "ds = assert(data.image_folder(\"data/sfew\"))" },
  read_csv = { "data.read_csv(path [, {header = true, label = \"label\", name, drop = {...}, "
    .. "na = \"error\" | \"drop\", nclasses = 7, classes, quiet = false}])",
    "A Dataset of a CSV table (x: rows x numeric columns, y: the label column); columns by "
    .. "name or 1-based index; nil, message. ", "ds = assert(data.read_csv(\"t.csv\"))" },
  fashion_mnist = { "data.fashion_mnist([dir = \"/usr/share/datasets/fashion-mnist\" "
    .. "[, {test_only = false, pad = 0}]])",
    "train, test Datasets of Fashion-MNIST (N x 1 x S x S in [0, 1], S = 28 + 2 pad: pad "
    .. "adds a background border, pad = 2 gives LeNet-5's 32 x 32; labels 1..10); with "
    .. "test_only, the test set alone; nil, message. ",
    "train, test = assert(data.fashion_mnist(nil, {pad = 2}))" },
  synthesize_faces = { "data.synthesize_faces{dir, n = 850, seed = 1, width = 90, "
    .. "height = 72, gray = false, difficulty = 0.7, noise, occlusion}",
    "Writes synthetic faces of the seven classes as PNG in the SFEW layout; true, or nil, msg." },
  default_faces = { "data.default_faces([{dir, n = 850, seed = 1, width, height, gray, "
    .. "difficulty}])",
    "The folder of the built-in synthetic faces (data/synthetic), generated when missing." },
  load_default = { "data.load_default([opts])",
    "The built-in synthetic faces as a Dataset (1 x 72 x 90 grayscale by default)." },
  Dataset = { "data.Dataset",
    "A data set: ds.x (N x ...), ds.y (1-based labels), ds.classes; #ds rows." },
})
doc.table(Dataset, {
  new = { "data.Dataset.new{x, y, classes, paths | names}",
    "A Dataset of the tensor x and (optionally) its labels y." },
  subset = { "ds:subset(rows)", "A new Dataset of the listed 1-based rows (copies)." },
  shuffle = { "ds:shuffle([rng])", "Shuffles the rows in place; returns ds." },
  split = { "ds:split(fraction [, rng [, {stratified = false}]])",
    "Two new Datasets, the first with about fraction of the rows (random, or keeping the "
    .. "class proportions). ", "train, test = ds:split(0.8, sfew.rng(1))" },
  normalize = { "ds:normalize([stats])",
    "Standardises x in place (images: one mean and std; tables: per column), with the "
    .. "given {mean, std} or its own; returns the stats used." },
  batches = { "ds:batches(size [, rng])",
    "An iterator over shuffled minibatches: for x, y in ds:batches(64, rng) do ... end." },
})

return M
