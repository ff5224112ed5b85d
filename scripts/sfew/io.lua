-- sfew.io: checkpoints in the safetensors format (float32 tensors plus string metadata).
-- Misuse raises; trouble with the file (missing, unreadable, corrupt) returns nil, message.
local argcheck = require "sfew.argcheck"
local core = require "sfew.core.io"
local params = require "sfew.params"
local tensor = require "sfew.tensor"

local M = {}

local function bad(k, fname, msg)
  argcheck.error(k, fname, msg, 2)
end

local SAVE_OPTIONS = argcheck.set { "names" }

-- io.save(path, tensors, metadata [, {names = "sfew" | "torch"}]): tensors maps names to
-- tensors, metadata (optional) maps strings to strings. Names are written sorted, so
-- equal inputs give equal files. names = "torch" writes sfew's 1-based layer numbers as
-- PyTorch's 0-based ones ("1.weight" as "0.weight", see nn.from_torch) and records
-- sfew.names = "torch" in the metadata. Returns true, or nil, message when the file
-- cannot be written.
function M.save(path, tensors, metadata, opts)
  argcheck.type(path, "string", 1, "save")
  argcheck.type(tensors, "table", 2, "save")
  argcheck.type(metadata, "table", 3, "save", true)
  opts = argcheck.options(opts, SAVE_OPTIONS, 4, "save")
  local torch = opts.names == "torch"
  if opts.names ~= nil and not torch and opts.names ~= "sfew" then
    bad(4, "save", "option 'names' must be \"sfew\" or \"torch\", got " .. tostring(opts.names))
  end
  local names, list, by_name = {}, {}, {}
  for k, t in pairs(tensors) do
    if type(k) ~= "string" or k == "" or k == "__metadata__" then
      bad(2, "save", "tensor names must be non-empty strings, got " .. tostring(k))
    end
    if not tensor.is_tensor(t) then bad(2, "save", "'" .. k .. "' is not a tensor") end
    local name = torch and params.torch_name(k) or k
    if not name then bad(2, "save", "'" .. k .. "' is not a 1-based name (a part is 0)") end
    names[#names + 1], by_name[name] = name, t
  end
  table.sort(names)
  for i, k in ipairs(names) do list[i] = by_name[k] end
  if torch then
    local m = { ["sfew.names"] = "torch" }
    for k, v in pairs(metadata or {}) do m[k] = v end
    metadata = m
  end
  local keys, values = {}, {}
  for k, v in pairs(metadata or {}) do
    if type(k) ~= "string" or type(v) ~= "string" then
      bad(3, "save", "metadata must map strings to strings, got " .. tostring(k) .. " = "
        .. type(v))
    end
    keys[#keys + 1] = k
  end
  table.sort(keys)
  for i, k in ipairs(keys) do values[i] = metadata[k] end
  return core.save(path, names, list, keys, values)
end

local LOAD_OPTIONS = argcheck.set { "max_bytes" }

-- io.load(path [, {max_bytes = n}]) -> tensors (name -> tensor), metadata (string ->
-- string), or nil, message for a missing, unreadable or corrupt file. A tensor above
-- max_bytes (default 1 GiB) as float32 is refused, so a bad header cannot allocate much.
function M.load(path, opts)
  argcheck.type(path, "string", 1, "load")
  argcheck.options(opts, LOAD_OPTIONS, 2, "load")
  local max = opts and opts.max_bytes
  if max ~= nil and (math.type(max) ~= "integer" or max <= 0) then
    bad(2, "load", "max_bytes must be a positive integer")
  end
  return core.load(path, max)
end

-- The engine's atomic writes (engine/io/atomic.h): a unique temporary name beside the
-- target, synced and renamed over it; a character device or FIFO is written in place, a
-- directory is an error. Each returns nil, message on trouble with the file.
-- io.write_atomic(path, s) -> true. io.temp_name(path [, dir]) -> a fresh temporary name
-- beside path (an empty file, or a folder when dir), for writers that need a name;
-- io.rename_atomic(tmp, path) -> true puts it in place.
M.write_atomic = core.write_atomic
M.temp_name = core.temp_name
M.rename_atomic = core.rename_atomic

-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "sfew.io", "Safetensors files (tensors + string metadata) and atomic writes.")
doc.table(M, {
  save = { "io.save(path, tensors [, metadata [, {names = \"sfew\" | \"torch\"}]])",
    "Writes tensors (name -> tensor) and metadata (string -> string) as safetensors; true, "
    .. "or nil, message. ", "io.save(\"w.safetensors\", {w = net[1].weight}, {note = \"x\"})" },
  load = { "io.load(path [, {max_bytes = 1 GiB}])",
    "tensors (name -> tensor), metadata of a safetensors file; nil, message on trouble. "
    .. "", "ts, meta = io.load(\"w.safetensors\")" },
  write_atomic = { "io.write_atomic(path, s)",
    "Writes string s to a temporary file beside path, synced and renamed over it; true, or "
    .. "nil, message." },
  temp_name = { "io.temp_name(path [, dir])",
    "A fresh temporary name beside path (created empty, or as a folder when dir)." },
  rename_atomic = { "io.rename_atomic(tmp, path)",
    "Renames tmp over path; true, or nil, message." },
})

return M
