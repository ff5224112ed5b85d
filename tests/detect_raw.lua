-- The raw windows (min_neighbors = 0, whole pyramid) of the three Haar cascades on the
-- fixture photographs, one line each, for tests/detect_spec.lua: in its own process too,
-- with SFEW_ISA=generic, so the scalar and the vectorised scans can be compared.
local data = require "sfew.data"

local M = {}

M.CASCADES = { "haar_default", "haar_alt", "haar_alt2" }
M.IMAGES = { "hopper", "astronaut", "camera", "rocket", "hopper_s" }

function M.lines(dir)
  local out = {}
  for _, c in ipairs(M.CASCADES) do
    local det = assert(data.face_detector(c))
    for _, im in ipairs(M.IMAGES) do
      local img = assert(data.load_image(dir .. im .. ".png"))
      for _, b in ipairs(det:detect(img, { min_neighbors = 0 })) do
        out[#out + 1] = ("%s %s %d %d %d %d"):format(c, im, b.x, b.y, b.w, b.h)
      end
    end
  end
  table.sort(out)
  return out
end

return M
