-- What every experiment script shares: the common options, running as a script or as a
-- module, the face data split and normalised as the paper does, cloning nets, confusion
-- matrices, and writing report.md / results.jsonl / plots under --out.
local cli = require "cli"
local report = require "report"

local M = {}

-- Options every experiment takes (issue: --data --epochs --runs --seed --batch --lr
-- --threads --out --quick --help); experiments append their own.
function M.common(defaults)
  return {
    { "data", defaults.data, "data folder or CSV file (default: built-in synthetic faces)",
      type = "string" },
    { "epochs", defaults.epochs, "training epochs", type = "integer" },
    { "runs", defaults.runs or 1, "independent runs", type = "integer" },
    { "seed", defaults.seed or 1, "seed of every random draw", type = "integer" },
    { "batch", defaults.batch, "minibatch size (default: full batch, as the paper)",
      type = "integer" },
    { "lr", defaults.lr, "learning rate", type = "number" },
    { "threads", defaults.threads, "engine threads (default: all cores)", type = "integer" },
    { "out", defaults.out, "folder for report.md, results.jsonl and plots", type = "string" },
    { "quick", false, "small settings that finish in well under a minute" },
    { "limit", nil, "use only this many images (after shuffling)", type = "integer" },
  }
end

local function extend(a, b)
  local out = {}
  for _, x in ipairs(a) do out[#out + 1] = x end
  for _, x in ipairs(b or {}) do out[#out + 1] = x end
  return out
end
M.extend = extend

-- Makes an experiment file both a script and a module (sfew.script): run by sfewlua it
-- parses arg (bad options print a message and exit with status 2) and returns run()'s
-- results (kept in `result` with sfewlua -i); required or dofile'd it returns mod.
function M.script(mod, spec, usage)
  return require("sfew.script").main(mod, function(args)
    local ok, opts = pcall(cli.parse, args, spec, usage)
    if not ok then
      io.stderr:write(tostring(opts), "\n")
      os.exit(2)
    end
    if opts then return mod.run(opts) end
  end)
end

-- Fills the defaults for a run() called from Lua with a partial options table.
function M.options(spec, given)
  if given and given._given then return given end
  return cli.merge(spec, given)
end

-- With --quick, the experiment's small settings replace the defaults (not the options
-- given explicitly).
function M.apply_quick(o, quick)
  if not o.quick then return o end
  for k, v in pairs(quick) do
    if not (o._given and o._given[k]) then o[k] = v end
  end
  return o
end

function M.setup(o)
  local sfew = require "sfew"
  if o.threads then sfew.threads(o.threads) end
  if o.out then report.mkdir(o.out) end
  return sfew.rng(o.seed)
end

-- The image data set split 80/20 and normalised with the training part's statistics.
-- opts: data (folder; default the built-in synthetic faces), limit (rows kept, for --quick).
function M.faces(o, rng)
  local data = require "sfew.data"
  local ds
  if o.data then
    ds = assert(data.image_folder(o.data, { width = 90, height = 72, gray = true }))
  else
    ds = assert(data.load_default())
  end
  ds:shuffle(rng)
  if o.limit and o.limit < #ds then
    local keep = {}
    for i = 1, o.limit do keep[i] = i end
    ds = ds:subset(keep)
  end
  local train, test = ds:split(0.8, rng)
  local stats = train:normalize()
  test:normalize(stats)
  return train, test, ds
end

-- Standardises the columns of train and test with the training part's mean and standard
-- deviation (features of the SFEW table are about 1e-3 in size).
function M.standardize(train, test)
  local mean = train:mean(1)
  local std = (train - mean):pow(2):mean(1):sqrt():clamp(1e-12, math.huge)
  return (train - mean) / std, test and (test - mean) / std, { mean = mean, std = std }
end

-- Rows of x shuffled by rng and split: the first `fraction` for training.
function M.split_rows(x, fraction, rng)
  local n = x:size(1)
  local perm = rng:permutation(n)
  local ntrain = math.floor(n * fraction + 0.5)
  local tr, te = {}, {}
  for i = 1, n do
    if i <= ntrain then tr[#tr + 1] = perm[i] else te[#te + 1] = perm[i] end
  end
  return x:index(tr), x:index(te)
end

-- A copy of a network with its own parameters (and BatchNorm statistics).
function M.clone(net)
  local nn = require "sfew.nn"
  local c = nn.build(net:spec())
  local dst = c:named_parameters()
  for i, np in ipairs(net:named_parameters()) do dst[i].tensor:copy(np.tensor) end
  return c
end

-- Confusion matrix of net on (x, y): counts[true][predicted], k classes.
function M.confusion_matrix(net, x, y, k)
  return require("sfew.train").confusion(net, x, y, k).counts
end

-- A confusion matrix (or the sum of several) as table rows with per-class accuracy.
function M.confusion_table(matrices, classes)
  local k = #classes
  local m = {}
  for i = 1, k do
    m[i] = {}
    for j = 1, k do
      m[i][j] = 0
      for _, c in ipairs(matrices) do m[i][j] = m[i][j] + c[i][j] end
    end
  end
  local rows = {}
  for i = 1, k do
    local row, total = { class = classes[i] }, 0
    for j = 1, k do row[classes[j]] = m[i][j]; total = total + m[i][j] end
    row.accuracy = total > 0 and m[i][i] / total or 0 / 0
    rows[i] = row
  end
  local cols = { { "class", "true \\ predicted" } }
  for j = 1, k do cols[#cols + 1] = { classes[j], classes[j]:sub(1, 3) } end
  cols[#cols + 1] = { "accuracy", "accuracy", "%.3f" }
  return rows, cols
end

-- Confusion matrix (true class rows, predicted columns) and per-class accuracy.
function M.confusion(net, x, y, classes)
  return M.confusion_table({ M.confusion_matrix(net, x, y, #classes) }, classes)
end

-- Writes report.md and results.jsonl under o.out and says where they are.
function M.write(o, name, markdown, records)
  if not o.out then return end
  assert(report.write_atomic(o.out .. "/report.md", markdown))
  assert(report.write_atomic(o.out .. "/results.jsonl", report.jsonl(records)))
  print(("%s: report in %s/report.md, results in %s/results.jsonl"):format(name, o.out, o.out))
end

-- A "setting: value" list of the options used, for reports.
function M.settings(o)
  local keys = {}
  for k, v in pairs(o) do
    if k:sub(1, 1) ~= "_" and type(v) ~= "table" then keys[#keys + 1] = k end
  end
  table.sort(keys)
  local lines = {}
  for _, k in ipairs(keys) do lines[#lines + 1] = ("- %s: %s"):format(k, tostring(o[k])) end
  return table.concat(lines, "\n") .. "\n"
end

-- The paper's LeNet5-like network for 1 x 72 x 90 inputs (Fig. 1): conv 5x5 -> ReLU ->
-- max-pool 2 -> conv 5x5 -> ReLU -> max-pool 3 -> flatten -> 7 classes.
function M.paper_cnn(c1, c2, rng)
  local nn = require "sfew.nn"
  return nn.Sequential {
    nn.Conv2d(1, c1, 5, { rng = rng }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(c1, c2, 5, { rng = rng }), nn.ReLU(), nn.MaxPool2d(3),
    nn.Flatten(), nn.Linear(c2 * 10 * 13, 7, { rng = rng }),
  }
end

-- Median seconds of one full-batch training step (on a clone, with a fresh Adam) and of
-- one inference pass over x, over reps repetitions.
function M.time_net(net, criterion, x, y, reps)
  local sfew = require "sfew"
  local c = M.clone(net)
  local conv1 = net[1]
  if conv1.mask and conv1:mask() then c[1]:set_mask(conv1:mask()) end
  local opt = sfew.optim.Adam(c:parameters(), { lr = 1e-3 })
  local function median(f)
    local ts = {}
    for i = 1, reps do
      local t0 = sfew.clock()
      f()
      ts[i] = sfew.clock() - t0
    end
    table.sort(ts)
    return ts[(reps + 1) // 2]
  end
  local step = median(function() sfew.train.step(c, criterion, opt, x, y) end)
  c:evaluate()
  local infer = median(function() c:forward(x) end)
  return step, infer
end

return M
