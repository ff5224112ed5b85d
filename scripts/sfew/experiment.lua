-- What every experiment script shares: the common options, running as a script or as a
-- module, the face data split 80/20 and standardised, cloning nets, confusion
-- matrices, and writing report.md / results.jsonl / plots under --out.
local argcheck = require "sfew.argcheck"
local cli = require "sfew.cli"
local install_cnn = require "sfew.experiment_cnn"
local report = require "sfew.report"

local M = {}

-- Options every experiment takes, with the defaults given (and defaults.crop_help: the help of
-- --crop where it means more than cropping); experiments append their own.
function M.common(defaults)
  return {
    { "data", defaults.data, "data folder or CSV file (default: built-in synthetic faces)",
      type = "string" },
    { "epochs", defaults.epochs, "training epochs", type = "integer" },
    { "runs", defaults.runs or 1, "independent runs", type = "integer" },
    { "seed", defaults.seed or 1, "seed of every random draw", type = "integer" },
    { "batch", defaults.batch, "minibatch size (default: full batch)",
      type = "integer" },
    { "lr", defaults.lr, "learning rate", type = "number" },
    { "threads", defaults.threads, "engine threads (default: all cores)", type = "integer" },
    { "out", defaults.out, "folder for report.md, results.jsonl and plots", type = "string" },
    { "quick", false, "small settings that finish in well under a minute" },
    { "limit", nil, "use only this many images (after shuffling)", type = "integer" },
    { "crop", nil, defaults.crop_help or "\"face\": cut each image of --data to its largest face",
      type = "string" },
    { "detector", nil, "face cascade for --crop face (haar_alt2, haar_default, haar_alt, "
      .. "lbp, lbp_improved, or a cascade XML path)", type = "string" },
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

-- Fills the defaults for a run() called from Lua with a partial options table; with
-- quick (the experiment's small settings), applies them when --quick is on.
function M.options(spec, given, quick)
  local o = given
  if not (given and given._given) then o = cli.merge(spec, given) end
  if quick then M.apply_quick(o, quick) end
  return o
end

-- With --quick, the experiment's small settings replace the defaults (not the options
-- given explicitly).
function M.apply_quick(o, quick)
  if not o.quick then return o end
  return M.apply_defaults(o, quick)
end

-- The values of defaults replace o's (those not given explicitly): a mode's own defaults.
function M.apply_defaults(o, defaults)
  argcheck.type(o, "table", 1, "experiment.apply_defaults")
  argcheck.type(defaults, "table", 2, "experiment.apply_defaults")
  for k, v in pairs(defaults) do
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

-- The face images: o.data, each cut to its largest face when crop (default: o.crop ==
-- "face"), or the built-in synthetic faces. A cropped set keeps in ds.crop_note how many
-- faces were found, for reports.
function M.load_faces(o, crop)
  local data = require "sfew.data"
  if o.crop ~= nil and o.crop ~= "face" then
    error(("--crop takes \"face\", not %q"):format(o.crop), 0)
  end
  if crop and not o.data then error("--crop face needs --data (a folder of frames)", 0) end
  if not o.data then return assert(data.load_default()) end
  if crop == nil then crop = o.crop == "face" end
  local opts = { width = 90, height = 72, gray = true }
  if crop then
    opts.crop = "face"
    opts.detector = o.detector and assert(data.face_detector(o.detector)) or nil
  end
  local ds = assert(data.image_folder(o.data, opts))
  ds.crop_note = crop and ("cropped to faces (%s detector): %s"):format(
    o.detector or "haar_alt2", require("sfew.faces").summary(ds)) or nil
  return ds
end

-- The image data set split 80/20 and normalised with the training part's statistics:
-- all (default: M.load_faces(o); left as it is) shuffled with rng and cut to o.limit rows.
-- Third result: the rows used, with ds.note saying what they are.
function M.faces(o, rng, all)
  all = all or M.load_faces(o)
  local ds = all:subset(rng:permutation(#all))
  if o.limit and o.limit < #ds then
    local keep = {}
    for i = 1, o.limit do keep[i] = i end
    ds = ds:subset(keep)
  end
  local train, test = ds:split(0.8, rng)
  local stats = train:normalize()
  test:normalize(stats)
  ds.note = ("%s: %d images (%d train, %d test)%s"):format(o.data or
    "the built-in synthetic faces", #ds, #train, #test,
    ds.crop_note and "; " .. ds.crop_note or "")
  return train, test, ds
end

-- Fashion-MNIST (o.data: its folder, default Debian's; o.pad: a background border of
-- that many pixels) normalised with the training part's statistics: train, test. With
-- o.limit, o.limit training images drawn with rng and a sixth as many test images (at
-- least 10).
function M.fashion(o, rng)
  local train, test = assert(require("sfew.data").fashion_mnist(o.data, { pad = o.pad }))
  if o.limit then
    train = train:subset(rng:permutation(#train)):subset(table.move(rng:permutation(o.limit),
      1, o.limit, 1, {}))
    test = test:subset(table.move(rng:permutation(#test), 1, math.max(10, o.limit // 6), 1, {}))
  end
  test:normalize(train:normalize())
  return train, test
end

-- Runs f(rng, seed, r) for r = 1..o.runs, run r with seed o.seed + r - 1 (recorded in
-- its results), and returns the list of f's results and their records joined in one list.
function M.each_run(o, f)
  local sfew = require "sfew"
  if o.threads then sfew.threads(o.threads) end
  if o.out then report.mkdir(o.out) end
  local out = {}
  for r = 1, o.runs do
    local seed = o.seed + r - 1
    out[r] = f(sfew.rng(seed), seed, r)
  end
  return out, M.concat(out, "records")
end

-- What run() returns: the first run's results, the list of runs, the records of every
-- run in one list, and the fields of extra.
function M.results(runs, extra)
  local out = { runs = runs }
  for k, v in pairs(runs[1]) do out[k] = v end
  out.records = M.concat(runs, "records")
  for k, v in pairs(extra) do out[k] = v end
  return out
end

-- The lists list[i][key] joined into one list (e.g. the records of every run).
function M.concat(list, key)
  local out = {}
  for _, item in ipairs(list) do
    for _, x in ipairs(item[key]) do out[#out + 1] = x end
  end
  return out
end

-- The feature table (o.data, else the built-in one; with o.patches, K x K patches of the
-- face images) split 80/20: train and test matrices. Columns as read, or z-scored with the
-- training part's statistics with o.standardize. Third result: the data in words.
function M.feature_table(o, rng, patch_count)
  local data = require "sfew.data"
  local ds
  if o.patches then
    local faces = o.data and assert(data.image_folder(o.data)) or assert(data.load_default())
    ds = data.Dataset.new{ x = data.random_patches(faces.x, o.patches, patch_count, rng) }
  else
    ds = assert(data.read_csv(o.data or assert(require("sfew.features").default_csv()),
      { na = "drop", label = not o.label and "label" or false }))
  end
  local train, test = ds:split(0.8, rng)
  if o.standardize then test:normalize(train:normalize()) end
  local what = o.patches and ("%d x %d patches of %s"):format(o.patches, o.patches,
    o.data or "the built-in synthetic faces") or (o.data or "the built-in feature table "
    .. "(LPQ and PHOG of the synthetic faces)")
  return train.x, test.x, ("%s, %d rows x %d columns"):format(what, #ds, ds.x:size(2))
end

-- A report's heading: the title, and for a --quick run a first line saying so.
function M.title(o, title)
  local size = {}
  if o.epochs then size[#size + 1] = o.epochs .. " epochs" end
  if o.limit then size[#size + 1] = o.limit .. " images" end
  local what = #size > 0 and " (" .. table.concat(size, ", ") .. ")" or ""
  local quick = o.quick and ("> Quick run%s: far smaller than the default settings; the "
    .. "numbers only show that everything runs.\n\n"):format(what) or ""
  return quick .. "# " .. title .. "\n\n"
end

-- Writes one run's record to dir/name.jsonl (nothing without dir), so runs made by
-- separate processes can be merged.
function M.save_run(dir, name, rec)
  if not dir then return end
  report.mkdir(dir)
  assert(report.write_atomic(dir .. "/" .. name .. ".jsonl", report.jsonl{ rec }))
end

-- The report: title (with the --quick line), the parts in order, then the options used;
-- written with records under o.out (M.write). Returns the Markdown.
function M.finish(o, name, title, parts, records)
  local md = M.title(o, title) .. table.concat(parts) .. "\n## Options\n\n" .. M.settings(o)
  M.write(o, name, md, records)
  return md
end

-- Draws plot.<kind>(spec) to o.out/file; nothing without o.out.
function M.plot(o, file, kind, spec)
  if not o.out then return end
  spec.path = o.out .. "/" .. file
  return require("sfew.plot")[kind](spec)
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

install_cnn(M)

-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "sfew.experiment", "What experiment scripts share: options, data, runs, "
  .. "training the paper's CNN, confusion matrices, reports.")
doc.table(M, {
  results = { "experiment.results(runs, extra)",
    "What run() returns: the first run's results, the list of runs, every run's records in "
    .. "one list, and the fields of extra." },
  finish = { "experiment.finish(o, name, title, parts, records)",
    "Writes the report (title with the --quick line, the parts, the options used) and the "
    .. "records under o.out; returns the Markdown." },
  plot = { "experiment.plot(o, file, kind, spec)",
    "Draws plot.<kind>(spec) to o.out/file; nothing without o.out." },
  common = { "experiment.common(defaults)",
    "The options every experiment takes (--data --epochs --runs --seed --batch --lr "
    .. "--threads --out --quick --limit --crop --detector), with the given defaults." },
  extend = { "experiment.extend(a, b)", "A new list: the entries of a, then those of b." },
  script = { "experiment.script(M, spec, usage)",
    "Ends an experiment file: run as a script it parses arg and calls M.run; required, "
    .. "it returns M." },
  options = { "experiment.options(spec, given)",
    "The spec's defaults overridden by the Lua table given (for run() called from Lua)." },
  apply_quick = { "experiment.apply_quick(o, quick)",
    "With o.quick, the small settings quick replace the options not given explicitly." },
  apply_defaults = { "experiment.apply_defaults(o, defaults)",
    "The values of defaults replace the options not given explicitly (a mode's defaults)." },
  setup = { "experiment.setup(o)", "Sets threads, creates o.out; returns sfew.rng(o.seed)." },
  load_faces = { "experiment.load_faces(o [, crop])",
    "The face images of o.data (cut to faces with crop, default o.crop == \"face\"; "
    .. "ds.crop_note says how many were found) or the built-in set." },
  faces = { "experiment.faces(o, rng [, all])",
    "The face images (all, default experiment.load_faces(o)) shuffled, cut to o.limit, split "
    .. "80/20 and normalised: train, test, and the rows used (ds.note says what they are)." },
  fashion = { "experiment.fashion(o, rng)",
    "Fashion-MNIST from o.data (default Debian's folder), with a border of o.pad pixels, "
    .. "normalised: train, test; with "
    .. "o.limit, that many training images drawn with rng and a sixth as many test images." },
  each_run = { "experiment.each_run(o, f)",
    "f(rng, seed, r) for r = 1..o.runs with seed o.seed + r - 1; the list of results." },
  concat = { "experiment.concat(list, key)", "The lists list[i][key] joined into one list." },
  feature_table = { "experiment.feature_table(o, rng, patch_count)",
    "The feature table (or image patches with o.patches) split 80/20: train x, test x, note." },
  title = { "experiment.title(o, title)",
    "A report heading, with a first line saying so for a --quick run." },
  save_run = { "experiment.save_run(dir, name, rec)",
    "Writes one run's record to dir/name.jsonl (nothing without dir)." },
  write = { "experiment.write(o, name, markdown, records)",
    "Writes report.md and results.jsonl under o.out and says where." },
  settings = { "experiment.settings(o)", "A Markdown \"- setting: value\" list of the options." },
})

return M
