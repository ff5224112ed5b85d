-- sfew.data tables: the SFEW feature table (CSV) and Fashion-MNIST (IDX).
local tensor = require "sfew.tensor"

local T = {}

local function warn(opts, msg)
  if not (opts and opts.quiet) then io.stderr:write("sfew.data: ", msg, "\n") end
end

-- Names that occur more than once with different labels: {name = {labels...}}.
local function duplicate_names(names, y)
  if not names or not y then return {} end
  local seen, dups = {}, {}
  local labels = y:flat()
  for i, name in ipairs(names) do
    local l = labels[i]
    local first = seen[name]
    if first == nil then
      seen[name] = l
    elseif first ~= l then
      dups[name] = dups[name] or { first }
      table.insert(dups[name], l)
    end
  end
  return dups
end

T.fashion_classes = { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                      "Sneaker", "Bag", "Ankle boot" }

function T.install(M, core, Dataset)
  -- read_csv(path [, {header = true, label = "label", name = 1, drop = {...},
  -- na = "error" | "drop", nclasses = 7, quiet}]) -> dataset | nil, message
  function M.read_csv(path, opts)
    if type(path) ~= "string" then error("bad argument #1 to 'read_csv' (string expected)", 2) end
    if opts ~= nil and type(opts) ~= "table" then
      error("bad argument #2 to 'read_csv' (table expected)", 2)
    end
    local t, err = core.read_csv(path, opts)
    if not t then return nil, err end
    if t.dropped > 0 then
      warn(opts, ("read_csv: dropped %d bad rows of '%s' (the first on line %d)"):format(
        t.dropped, path, t.first_dropped_line))
    end
    local dups = duplicate_names(t.names, t.y)
    local list = {}
    for name in pairs(dups) do list[#list + 1] = name end
    table.sort(list)
    if #list > 0 then
      warn(opts, ("read_csv: %d names in '%s' occur with different labels: %s%s"):format(
        #list, path, table.concat(list, ", ", 1, math.min(#list, 5)), #list > 5 and ", ..." or ""))
    end
    t.duplicates = list
    t.classes = opts and opts.classes or M.classes
    return Dataset.new(t)
  end

  -- fashion_mnist([dir [, {test_only, pad = 0}]]) -> train, test (60000 and 10000 x 1 x
  -- S x S, S = 28 + 2 pad, labels 1..10). pad adds a border of background (0) on every
  -- side, as LeNet-5 read MNIST at 32 x 32 (pad = 2): a network whose convolutions have no
  -- padding then sees the strokes at the edge and keeps more features after its pools.
  function M.fashion_mnist(dir, opts)
    if dir ~= nil and type(dir) ~= "string" then
      error("bad argument #1 to 'fashion_mnist' (string expected)", 2)
    end
    local pad = opts and opts.pad or 0
    if math.type(pad) ~= "integer" or pad < 0 or pad > 64 then
      error("bad argument #2 to 'fashion_mnist' (option 'pad' must be an integer in 0..64, got "
        .. tostring(pad) .. ")", 2)
    end
    dir = dir or "/usr/share/datasets/fashion-mnist"
    local parts = {}
    for _, part in ipairs { "train", "t10k" } do
      if not (opts and opts.test_only and part == "train") then
        local base = dir .. "/" .. part
        local x, err = core.read_idx(base .. "-images-idx3-ubyte.gz", 3, 1 / 255)
        if not x then return nil, err end
        local y, err2 = core.read_idx(base .. "-labels-idx1-ubyte.gz", 1, 1)
        if not y then return nil, err2 end
        local n = x:size(1)
        if x:size(2) ~= 28 or x:size(3) ~= 28 or y:numel() ~= n then
          return nil, ("fashion_mnist: '%s' holds %d images (%s) and %d labels, want N x 28 x 28 "
            .. "and N"):format(base, n, table.concat(x:shape(), "x"), y:numel())
        end
        if pad > 0 then -- image by image: rows of a tensor are views, so paste fills them
          local s = 28 + 2 * pad
          local canvas = tensor.zeros { n, s, s }
          for i = 1, n do
            core.paste(canvas:narrow(1, i, 1), x:narrow(1, i, 1), pad + 1, pad + 1)
          end
          x = canvas
        end
        parts[#parts + 1] = Dataset.new {
          x = x:reshape { n, 1, x:size(2), x:size(3) }, y = y + 1, classes = T.fashion_classes,
        }
      end
    end
    return table.unpack(parts)
  end
end

return T
