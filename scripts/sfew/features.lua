-- sfew.features: the SFEW feature table from images. LPQ and PHOG descriptors (C, in
-- sfew.core.features), PCA fitted on training rows, and the CSV in SFEW's own layout.
local core = require "sfew.core.features"
local data = require "sfew.data"
local tensor = require "sfew.tensor"

local M = {}

M.defaults = {
  k = 5,                       -- principal components kept per descriptor
  width = 90, height = 72,     -- image size the folder is read at (SFEW's, downscaled)
  lpq = { window = 7, grid = 1, decorrelate = false, rho = 0.9 },
  phog = { bins = 8, levels = 3, angle = 180 },
}

--- LPQ histogram(s) of an image (H x W or 1 x H x W) or a batch (N x 1 x H x W):
-- 256 bins per grid cell, each cell summing to 1. opts: window, grid, decorrelate, rho.
M.lpq = core.lpq
--- The LPQ code map (0..255 per valid pixel) of one image.
M.lpq_codes = core.lpq_codes
--- PHOG of an image or a batch. opts: bins, levels, angle (180 or 360).
M.phog = core.phog

local PCA = {}
PCA.__index = PCA

--- Projects the rows of x (N x D) on the fitted axes: N x k.
function PCA:transform(x)
  if not tensor.is_tensor(x) then
    error("bad argument #1 to 'transform' (tensor expected, got " .. type(x) .. ")", 2)
  end
  return core.pca_transform(x, self.mean, self.components)
end

function PCA:__tostring()
  local k, d = self.components:size(1), self.components:size(2)
  return ("sfew.PCA(%d of %d, explained %.4f)"):format(k, d, self.explained_ratio:sum())
end

--- Fits PCA on the rows of x (N x D) keeping k axes (ordered by explained variance).
function M.pca_fit(x, k)
  if not tensor.is_tensor(x) then
    error("bad argument #1 to 'pca_fit' (tensor expected, got " .. type(x) .. ")", 2)
  end
  if math.type(k) ~= "integer" then
    error("bad argument #2 to 'pca_fit' (integer expected, got " .. type(k) .. ")", 2)
  end
  local mean, components, variance, ratio = core.pca_fit(x, k)
  return setmetatable({ mean = mean, components = components, explained_variance = variance,
                        explained_ratio = ratio, k = k }, PCA)
end

local function merged(defaults, opts)
  local out = {}
  for key, v in pairs(defaults) do out[key] = v end
  for key, v in pairs(opts or {}) do out[key] = v end
  return out
end

local function basename(path)
  return (tostring(path):match("([^/\\]+)$")) or tostring(path)
end

local function row_names(ds, n)
  local names = {}
  for i = 1, n do
    names[i] = (ds.names and ds.names[i]) or (ds.paths and basename(ds.paths[i])) or tostring(i)
  end
  return names
end

-- Descriptors -> PCA columns, the fit on the rows listed in fit (all when nil).
local function reduce(desc, k, fit)
  local pca = M.pca_fit(fit and desc:index(fit) or desc, math.min(k, desc:size(2)))
  return pca:transform(desc), pca
end

--- The feature table of a dataset {x = N x 1 x H x W, y = labels, paths or names}:
-- {x = N x 2k (LPQ components, then PHOG components), y, names, columns, pca = {lpq,
-- phog}}. opts: k, lpq = {...}, phog = {...}, fit = list of 1-based rows to fit PCA on.
function M.table(ds, opts)
  if type(ds) ~= "table" or not tensor.is_tensor(ds.x) then
    error("bad argument #1 to 'table' (a dataset with an x tensor expected)", 2)
  end
  if opts ~= nil and type(opts) ~= "table" then
    error("bad argument #2 to 'table' (table expected, got " .. type(opts) .. ")", 2)
  end
  opts = opts or {}
  local k = opts.k or M.defaults.k
  local x = ds.x
  if x:dim() == 3 then x = x:reshape{ x:size(1), 1, x:size(2), x:size(3) } end
  local n = x:size(1)
  local lpq_cols, lpq_pca = reduce(core.lpq(x, merged(M.defaults.lpq, opts.lpq)), k, opts.fit)
  local phog_cols, phog_pca = reduce(core.phog(x, merged(M.defaults.phog, opts.phog)), k,
                                     opts.fit)
  local columns = {}
  for i = 1, lpq_cols:size(2) do columns[#columns + 1] = "lpq" .. i end
  for i = 1, phog_cols:size(2) do columns[#columns + 1] = "phog" .. i end
  return { x = core.hcat(lpq_cols, phog_cols), y = ds.y, names = row_names(ds, n),
           columns = columns, pca = { lpq = lpq_pca, phog = phog_pca } }
end

-- RFC 4180: quote a field holding a comma, a quote or a line break.
local function field(s)
  s = tostring(s)
  if s:find('[,"\r\n]') then return '"' .. s:gsub('"', '""') .. '"' end
  return s
end

local function label_of(y, i)
  if y == nil then return "" end
  local v = tensor.is_tensor(y) and y:get(i) or y[i]
  return math.type(v) == "float" and v == math.floor(v) and ("%d"):format(v) or tostring(v)
end

--- Writes tbl (from M.table) as SFEW's table: an unnamed column of names, label, then
-- the columns; numbers as %.10E. Written to a temporary name, then renamed.
-- Returns true, or nil and a message when the file cannot be written.
function M.write_csv(path, tbl)
  if type(path) ~= "string" then
    error("bad argument #1 to 'write_csv' (string expected, got " .. type(path) .. ")", 2)
  end
  if type(tbl) ~= "table" or not tensor.is_tensor(tbl.x) or tbl.x:dim() ~= 2 then
    error("bad argument #2 to 'write_csv' (a feature table with an N x D x expected)", 2)
  end
  local n, d = tbl.x:size(1), tbl.x:size(2)
  local lines = {}
  local head = { "", "label" }
  for j = 1, d do head[#head + 1] = field(tbl.columns and tbl.columns[j] or ("f" .. j)) end
  lines[1] = table.concat(head, ",")
  local flat = tbl.x:flat()
  for i = 1, n do
    local row = { field(tbl.names and tbl.names[i] or tostring(i)), label_of(tbl.y, i) }
    for j = 1, d do row[#row + 1] = ("%.10E"):format(flat[(i - 1) * d + j]) end
    lines[#lines + 1] = table.concat(row, ",")
  end
  return require("sfew.io").write_atomic(path, table.concat(lines, "\n") .. "\n")
end

--- The table of an SFEW-style image folder (class folders of images). opts as M.table,
-- plus width and height. Returns the table, or nil and a message.
function M.folder_table(dir, opts)
  opts = opts or {}
  local ds, err = data.image_folder(dir, { width = opts.width or M.defaults.width,
                                           height = opts.height or M.defaults.height,
                                           gray = true })
  if not ds then return nil, err end
  return M.table(ds, opts)
end

--- <dir>/features.csv, computed from the images under dir when missing. Returns its path,
-- or nil and a message.
function M.cached_csv(dir, opts)
  local path = dir .. "/features.csv"
  local f = io.open(path)
  if f then f:close(); return path end
  local tbl, err = M.folder_table(dir, opts)
  if not tbl then return nil, err end
  local ok, werr = M.write_csv(path, tbl)
  if not ok then return nil, werr end
  return path
end

--- The feature table of the image folder dir as sfew.data.read_csv reads SFEW's own
-- table, cached at <dir>/features.csv.
function M.cached_table(dir, opts)
  local path, err = M.cached_csv(dir, opts)
  if not path then return nil, err end
  return data.read_csv(path)
end

--- Path of the feature table (SFEW layout) of the built-in synthetic faces
-- (sfew.data.default_faces(opts)), computed and cached next to the images when missing.
-- Returns the path, or nil and a message.
function M.default_csv(opts)
  local dir, err = data.default_faces(opts)
  if not dir then return nil, err end
  return M.cached_csv(dir)
end

-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "sfew.features", "The SFEW feature table: LPQ and PHOG descriptors reduced by PCA.")
doc.register(PCA, "PCA", "A PCA fit from features.pca_fit: p.mean, p.components (k x D), "
  .. "p.explained_variance, p.explained_ratio.")
doc.table(M, {
  defaults = { "features.defaults",
    "The default options: k, width, height, lpq = {...}, phog = {...}." },
  lpq = { "features.lpq(images [, {window, grid, decorrelate, rho}])",
    "LPQ histograms (256 bins per grid cell, each summing to 1) of an image or a batch." },
  lpq_codes = { "features.lpq_codes(image [, opts])", "The LPQ code map (0..255) of one image." },
  phog = { "features.phog(images [, {bins, levels, angle = 180 | 360}])",
    "PHOG descriptors of an image or a batch." },
  pca_fit = { "features.pca_fit(x, k)", "PCA of the rows of x (N x D) keeping k axes." },
  table = { "features.table(ds [, {k, lpq, phog, fit}])",
    "The feature table of a Dataset of gray images: {x = N x 2k, y, names, columns, pca}." },
  write_csv = { "features.write_csv(path, tbl)",
    "Writes a features.table result as SFEW's CSV; true, or nil, message." },
  folder_table = { "features.folder_table(dir [, opts])",
    "The feature table of an SFEW-style image folder; nil, message." },
  cached_csv = { "features.cached_csv(dir [, opts])",
    "The path of <dir>/features.csv, computed from the images when missing." },
  cached_table = { "features.cached_table(dir [, opts])",
    "The cached feature table of dir as data.read_csv reads it." },
  default_csv = { "features.default_csv([opts])",
    "The path of the built-in synthetic faces' feature table (computed when missing)." },
})
doc.table(PCA, {
  transform = { "p:transform(x)", "The rows of x (N x D) projected on the fitted axes: N x k." },
})

return M
