-- features.lua DIR OUT.csv: the SFEW feature table (LPQ and PHOG reduced by PCA) of an
-- SFEW-style image folder, written in the layout of SFEW's own table.
local features = require "sfew.features"

local usage = [[
usage: sfewlua tools/features.lua DIR OUT.csv [options]
  --k N             principal components per descriptor (5)
  --lpq-window M    LPQ window, odd (7)
  --lpq-grid G      LPQ histograms over a G x G grid (1)
  --decorrelate     whiten the LPQ coefficients before quantising
  --phog-bins B     PHOG orientation bins (8)
  --phog-levels L   PHOG pyramid levels 0..L (3)
  --width W --height H   size the images are read at (90 x 72)]]

local numeric = {
  ["--k"] = { "k" }, ["--lpq-window"] = { "lpq", "window" }, ["--lpq-grid"] = { "lpq", "grid" },
  ["--phog-bins"] = { "phog", "bins" }, ["--phog-levels"] = { "phog", "levels" },
  ["--width"] = { "width" }, ["--height"] = { "height" },
}

-- Arguments -> dir, out, opts; or nil and a message.
local function parse(args)
  local pos, opts = {}, { lpq = {}, phog = {} }
  local i = 1
  while i <= #args do
    local a = args[i]
    if numeric[a] then
      local v = math.tointeger(tonumber(args[i + 1]))
      if not v then return nil, a .. " needs an integer" end
      local path = numeric[a]
      if #path == 1 then opts[path[1]] = v else opts[path[1]][path[2]] = v end
      i = i + 2
    elseif a == "--decorrelate" then
      opts.lpq.decorrelate = true
      i = i + 1
    elseif a:sub(1, 2) == "--" then
      return nil, "unknown option " .. a
    else
      pos[#pos + 1] = a
      i = i + 1
    end
  end
  if #pos ~= 2 then return nil, "expected DIR and OUT.csv" end
  return pos[1], pos[2], opts
end

local args = arg or {}
if args[1] == "--help" or args[1] == "-h" then
  print(usage)
  return
end
local dir, out, opts = parse(args)
if not dir then
  io.stderr:write("features.lua: ", out, "\n", usage, "\n")
  os.exit(2)
end
local function fail(msg)
  io.stderr:write("features.lua: ", tostring(msg), "\n")
  os.exit(1)
end
local tbl, err = features.folder_table(dir, opts)
if not tbl then fail(err) end
local ok, werr = features.write_csv(out, tbl)
if not ok then fail(werr) end
print(("features.lua: %d images, %d columns -> %s"):format(tbl.x:size(1), tbl.x:size(2), out))
