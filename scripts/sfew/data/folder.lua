-- sfew.data image folders: SFEW's <root>/<Class>/<image> layout, the synthetic faces
-- written in that layout, and the built-in default set.
local F = {}

local image_ext = { png = true, jpg = true, jpeg = true, bmp = true, gif = true, tga = true }

local function warn(opts, msg)
  if not (opts and opts.quiet) then io.stderr:write("sfew.data: ", msg, "\n") end
end

-- Class folders of root: label by lower-case name, unknown folder names.
local function class_folders(core, root, classes)
  local names, isdir = core.list_dir(root)
  if not names then return nil, isdir end
  local want = {}
  for k, c in ipairs(classes) do want[c:lower()] = k end
  local found, unknown = {}, {}
  for i, name in ipairs(names) do
    if isdir[i] then
      local k = want[name:lower()]
      if k and not found[k] then
        found[k] = name
      elseif name:sub(1, 1) ~= "." then
        unknown[#unknown + 1] = name
      end
    end
  end
  return found, unknown
end

-- The image files of every class folder, in class order and then by name.
local function image_files(core, root, found, nclasses)
  local paths, labels, ignored = {}, {}, 0
  for k = 1, nclasses do
    if found[k] then
      local dir = root .. "/" .. found[k]
      local names, isdir = core.list_dir(dir)
      if not names then return nil, isdir end
      for i, name in ipairs(names) do
        local ext = name:match("%.([^.]+)$")
        if not isdir[i] and name:sub(1, 1) ~= "." and ext and image_ext[ext:lower()] then
          paths[#paths + 1] = dir .. "/" .. name
          labels[#labels + 1] = k
        elseif not isdir[i] then
          ignored = ignored + 1
        end
      end
    end
  end
  return paths, labels, ignored
end

function F.install(M, core, Dataset)
  local tensor = require "sfew.tensor"

  -- image_folder(root [, {width = 90, height = 72, gray = true, skip_bad, classes, quiet}])
  -- -> dataset | nil, message; crop = "face" (with detector, margin, align) cuts each
  -- image to its largest face first (sfew.faces) and sets ds.face_found.
  function M.image_folder(root, opts)
    if type(root) ~= "string" then
      error("bad argument #1 to 'image_folder' (string expected)", 2)
    end
    if opts ~= nil and type(opts) ~= "table" then
      error("bad argument #2 to 'image_folder' (table expected)", 2)
    end
    opts = opts or {}
    local classes = opts.classes or M.classes
    local found, unknown = class_folders(core, root, classes)
    if not found then return nil, unknown end
    if next(found) == nil then
      return nil, ("image_folder: no class folders (%s) in '%s'%s"):format(
        table.concat(classes, ", "), root,
        #unknown > 0 and (" (found: " .. table.concat(unknown, ", ") .. ")") or "")
    end
    if #unknown > 0 then
      warn(opts, ("image_folder: ignoring unknown folders in '%s': %s"):format(
        root, table.concat(unknown, ", ")))
    end
    local paths, labels, ignored = image_files(core, root, found, #classes)
    if not paths then return nil, labels end
    local gray = opts.gray == nil and true or opts.gray
    local x, kept, nbad, face_found
    if opts.crop == "face" then -- each image cut to its largest face (sfew.faces)
      x, kept, nbad, face_found = require("sfew.faces").load_cropped(paths, opts)
    elseif opts.crop ~= nil then
      error("bad argument #2 to 'image_folder' (option 'crop' must be \"face\" or nil)", 2)
    else
      x, kept, nbad = core.load_images(paths, {
        width = opts.width or 90, height = opts.height or 72, gray = gray,
        skip_bad = opts.skip_bad or false })
    end
    if not x then return nil, kept end
    local good_paths, good_labels, bad = {}, {}, {}
    for i, ok in ipairs(kept) do
      if ok then
        good_paths[#good_paths + 1], good_labels[#good_labels + 1] = paths[i], labels[i]
      else
        bad[#bad + 1] = paths[i]
      end
    end
    if nbad > 0 then warn(opts, ("image_folder: skipped %d unreadable files"):format(nbad)) end
    return Dataset.new {
      x = x, y = tensor.new({ #good_labels }, good_labels), paths = good_paths,
      classes = classes, unknown = unknown, skipped = nbad, bad = bad, ignored = ignored,
      root = root, face_found = face_found and require("sfew.faces").report(face_found, opts),
    }
  end

  -- synthesize_faces{dir, n = 850, seed = 1, width = 90, height = 72, gray = false,
  -- difficulty = 0.7, noise, occlusion} -> true | nil, message
  function M.synthesize_faces(opts)
    if type(opts) ~= "table" then
      error("bad argument #1 to 'synthesize_faces' (table expected)", 2)
    end
    return core.synthesize_faces(opts)
  end

  -- The path of the built-in synthetic set (<root>/data/synthetic), generated when
  -- missing: into a temporary folder first, renamed when complete.
  function M.default_faces(opts)
    opts = opts or {}
    local root = rawget(package, "sfew_root") or "."
    local dir = opts.dir or (root .. "/data/synthetic")
    if core.list_dir(dir) then return dir end
    local parent = dir:match("^(.*)/[^/]*$") or "."
    local ok, err = core.mkdir(parent)
    if not ok then return nil, err end
    -- The engine's temporary name (also clears folders left by killed runs).
    local sio = require "sfew.core.io"
    local tmp
    tmp, err = sio.temp_name(dir, true)
    if not tmp then return nil, err end
    ok, err = core.synthesize_faces {
      dir = tmp, n = opts.n or 850, seed = opts.seed or 1, width = opts.width or 90,
      height = opts.height or 72, gray = opts.gray or false, difficulty = opts.difficulty,
    }
    if ok then ok, err = sio.rename_atomic(tmp, dir) end
    if not ok then
      os.execute("rm -rf '" .. tmp:gsub("'", "'\\''") .. "'")
      if core.list_dir(dir) then return dir end -- someone else finished first
      return nil, err
    end
    return dir
  end

  -- The built-in synthetic set as a dataset (1 x 72 x 90 grayscale by default).
  function M.load_default(opts)
    local dir, err = M.default_faces(opts)
    if not dir then return nil, err end
    return M.image_folder(dir, opts and { width = opts.width, height = opts.height,
                                          gray = opts.gray_load, quiet = opts.quiet })
  end
end

return F
