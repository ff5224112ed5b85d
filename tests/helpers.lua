-- Shared by specs: tolerant comparisons, fixtures, and running the sfewlua host.
local luassert = require "luassert"

local M = {}

local root = os.getenv("SFEW_TEST_ROOT") or "."
M.root = root
M.sfewlua = os.getenv("SFEWLUA") or (root .. "/build/sfewlua")

-- Largest relative difference between two flat lists (or tensors), scaled by max(|b|, 1).
function M.max_rel_err(a, b)
  local fa = type(a) == "table" and a or a:flat()
  local fb = type(b) == "table" and b or b:flat()
  assert(#fa == #fb, ("length %d vs %d"):format(#fa, #fb))
  local worst = 0
  for i = 1, #fa do
    local d = math.abs(fa[i] - fb[i]) / math.max(math.abs(fb[i]), 1)
    if d ~= d then return math.huge end
    if d > worst then worst = d end
  end
  return worst
end

-- Asserts that tensor t equals fixture {shape, data} within tol (relative).
function M.assert_close(t, fx, tol, what)
  tol = tol or 1e-4
  local shape = t:shape()
  -- luassert: a required module sees the real assert, not busted's.
  luassert.are.same(fx.shape, shape, (what or "tensor") .. " shape")
  local err = M.max_rel_err(t, fx.data)
  assert(err <= tol, ("%s differs by %.3g (tolerance %.1g)"):format(what or "tensor", err, tol))
end

-- A tensor from a fixture {shape, data}.
function M.tensor(fx)
  return require("sfew.tensor").new(fx.shape, fx.data)
end

function M.fixture(name)
  return dofile(root .. "/tests/fixtures/" .. name)
end

local function shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end
M.quote = shell_quote

-- Runs sfewlua with the given argument list and optional stdin text.
-- Returns ok (exit status 0), stdout, stderr, exit code.
function M.run(args, stdin)
  local tmp = os.tmpname()
  local errf = os.tmpname()
  local cmd = { shell_quote(M.sfewlua) }
  for _, a in ipairs(args or {}) do cmd[#cmd + 1] = shell_quote(a) end
  local line = table.concat(cmd, " ")
  local inf
  if stdin then
    inf = os.tmpname()
    local f = assert(io.open(inf, "w")); f:write(stdin); f:close()
    line = line .. " < " .. shell_quote(inf)
  else
    line = line .. " < /dev/null"
  end
  local ok, _, code = os.execute(line .. " > " .. shell_quote(tmp) .. " 2> " .. shell_quote(errf))
  local out = assert(io.open(tmp)):read("a")
  local err = assert(io.open(errf)):read("a")
  os.remove(tmp); os.remove(errf)
  if inf then os.remove(inf) end
  return ok == true, out, err, code
end

-- The whole content of a file, as bytes.
function M.slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

-- A 1 x height x width image tensor whose pixel (i, j), both 0-based, is f(i, j).
function M.image(height, width, f)
  local flat = {}
  for i = 0, height - 1 do
    for j = 0, width - 1 do flat[#flat + 1] = f(i, j) end
  end
  return require("sfew.tensor").new({ 1, height, width }, flat)
end

-- A fresh temporary directory (removed by the caller with M.rmdir).
function M.tmpdir()
  local name = os.tmpname()
  os.remove(name)
  assert(os.execute("mkdir -p " .. shell_quote(name)))
  return name
end

function M.rmdir(path)
  os.execute("rm -rf " .. shell_quote(path))
end

-- An IDX file (big-endian header: magic 0x800 + ndim, then each dimension) holding bytes.
function M.write_idx(path, magic_ndim, dims, bytes)
  local parts = { string.pack(">I4", 0x800 + magic_ndim) }
  for _, d in ipairs(dims) do parts[#parts + 1] = string.pack(">I4", d) end
  parts[#parts + 1] = bytes
  local f = assert(io.open(path, "wb")); f:write(table.concat(parts)); f:close()
  return path
end

-- A folder laid out as Debian's Fashion-MNIST (gzipped IDX files) with n training and n
-- test images of bytes drawn from seed, labels cycling through the ten classes.
function M.fashion_folder(dir, n, seed)
  assert(os.execute("mkdir -p " .. shell_quote(dir)))
  local state = seed
  local img, lab = {}, {}
  for i = 1, n * 28 * 28 do
    state = (state * 1103515245 + 12345) % 2147483648
    img[i] = string.char(state >> 16 & 255)
  end
  for i = 1, n do lab[i] = string.char((i - 1) % 10) end
  for _, part in ipairs { "train", "t10k" } do
    M.write_idx(dir .. "/" .. part .. "-images-idx3-ubyte", 3, { n, 28, 28 }, table.concat(img))
    M.write_idx(dir .. "/" .. part .. "-labels-idx1-ubyte", 1, { n }, table.concat(lab))
  end
  assert(os.execute("gzip -f " .. shell_quote(dir) .. "/*-ubyte"))
  return dir
end

-- An SFEW-layout folder of frames: per class, two photographs with a face (astronaut,
-- hopper) and two without (camera, rocket), from tests/fixtures/faces.
function M.face_frames(dir)
  for _, class in ipairs{ "Angry", "Disgust", "Fear", "Happy", "Neutral", "Sad", "Surprise" } do
    assert(os.execute("mkdir -p " .. shell_quote(dir .. "/" .. class)))
    for _, p in ipairs{ "astronaut", "hopper", "camera", "rocket" } do
      assert(os.execute(("cp %s %s"):format(shell_quote(root .. "/tests/fixtures/faces/" .. p
        .. ".png"), shell_quote(dir .. "/" .. class .. "/" .. p .. ".png"))))
    end
  end
end

return M
