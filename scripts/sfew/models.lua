-- sfew.models: the networks the paper trains, built from sfew.nn layers.
local argcheck = require "sfew.argcheck"
local nn = require "sfew.nn"

local M = {}

local OPTIONS = argcheck.set { "rng", "height", "width", "classes", "in_channels", "batchnorm",
  "dropout" }

-- Output size of an unpadded k x k convolution with stride 1, then a k2 x k2 max-pool.
local function conv_pool(size, k, pool)
  return (size - k + 1) // pool
end

local function check_size(v, pos, what)
  argcheck.check(math.type(v) == "integer" and v >= 1, pos, "paper_cnn",
    what .. " must be a positive integer", 2)
end

-- The paper's LeNet-like CNN: conv1 (in_channels -> c1, 5x5), ReLU, 2x2 max-pool, conv2
-- (c1 -> c2, 5x5), ReLU, 3x3 max-pool, Flatten, Linear(c2 * h * w -> classes), where h x w
-- is what the two conv-pool stages leave of the image (10 x 13 for the 72 x 90 faces).
-- opts: rng (draws the initial weights), height = 72, width = 90, classes = 7,
-- in_channels = 1; beyond the paper: batchnorm = true puts a BatchNorm2d after each
-- convolution, dropout = p a Dropout before the classifier.
function M.paper_cnn(c1, c2, opts)
  check_size(c1, 1, "c1")
  check_size(c2, 2, "c2")
  opts = argcheck.options(opts, OPTIONS, 3, "paper_cnn")
  local height, width = opts.height or 72, opts.width or 90
  local classes, cin = opts.classes or 7, opts.in_channels or 1
  for _, o in ipairs { {height, "option 'height'"}, {width, "option 'width'"},
                       {classes, "option 'classes'"}, {cin, "option 'in_channels'"} } do
    check_size(o[1], 3, o[2])
  end
  local h, w = conv_pool(conv_pool(height, 5, 2), 5, 3), conv_pool(conv_pool(width, 5, 2), 5, 3)
  argcheck.check(h >= 1 and w >= 1, 3, "paper_cnn",
    ("a %dx%d image is too small for two 5x5 convolutions and pools"):format(height, width))
  argcheck.check(opts.dropout == nil or (type(opts.dropout) == "number" and opts.dropout >= 0
    and opts.dropout < 1), 3, "paper_cnn", "option 'dropout' must be a probability below 1")
  local rng = opts.rng
  local net = nn.Sequential {}
  for _, stage in ipairs { { cin, c1, 2 }, { c1, c2, 3 } } do
    net:add(nn.Conv2d(stage[1], stage[2], 5, { rng = rng }))
    if opts.batchnorm then net:add(nn.BatchNorm2d(stage[2])) end
    net:add(nn.ReLU()):add(nn.MaxPool2d(stage[3]))
  end
  net:add(nn.Flatten())
  if opts.dropout and opts.dropout > 0 then net:add(nn.Dropout(opts.dropout, { rng = rng })) end
  return net:add(nn.Linear(c2 * h * w, classes, { rng = rng }))
end

-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "sfew.models", "The paper's networks, built from sfew.nn layers.")
doc.table(M, {
  paper_cnn = { "models.paper_cnn(c1, c2 [, {rng, height = 72, width = 90, classes = 7, "
    .. "in_channels = 1}])",
    "The paper's LeNet-like CNN: conv 5x5 c1, ReLU, pool 2, conv 5x5 c2, ReLU, pool 3, "
    .. "Flatten, Linear. ", "net = models.paper_cnn(16, 32, {rng = sfew.rng(1)})" },
})

return M
