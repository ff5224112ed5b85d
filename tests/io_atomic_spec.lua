-- sfew.io's atomic writes and the writers built on them (io.save, data.write_png,
-- features.write_csv, report.write_atomic): a unique temporary name renamed over a regular
-- file, devices and FIFOs written in place, directories refused, stale temporaries of
-- killed writers removed.
local h = require "helpers"
local sfew = require "sfew"
local sio = require "sfew.io"

local slurp = h.slurp

-- Names in dir (sorted), without "." and "..".
local function names(dir)
  return sfew.data.list_dir(dir) or {}
end

-- The pid of a process that has already ended.
local function dead_pid()
  local p = io.popen("sh -c 'echo $$'")
  local pid = tonumber(p:read("l"))
  p:close()
  return pid
end

-- Every writer, as function(path) -> ok, message.
local writers = {
  write_atomic = function(p) return sio.write_atomic(p, "text\n") end,
  ["io.save"] = function(p) return sio.save(p, {w = sfew.tensor.ones{3}}) end,
  write_png = function(p) return sfew.data.write_png(sfew.tensor.zeros{1, 2, 2}, p) end,
  write_csv = function(p)
    return require("sfew.features").write_csv(p, {x = sfew.tensor.ones{1, 2}})
  end,
  ["net:save"] = function(p) return sfew.nn.Sequential{sfew.nn.Linear(2, 2)}:save(p) end,
  ["report.write_atomic"] = function(p) -- the module may live as sfew.report or report
    local found, report = pcall(require, "sfew.report")
    return (found and report or require "report").write_atomic(p, "# r\n")
  end,
}

describe("sfew.io atomic writes", function()
  local dir
  before_each(function() dir = h.tmpdir() end)
  after_each(function() h.rmdir(dir) end)

  it("writes a new file and replaces an old one, leaving no temporary", function()
    local p = dir .. "/a.txt"
    assert.is_true(sio.write_atomic(p, "one"))
    assert.is_true(sio.write_atomic(p, "two\0bytes"))
    assert.are.equal("two\0bytes", slurp(p))
    assert.are.same({"a.txt"}, names(dir))
  end)

  it("refuses a directory as the target with a message naming it", function()
    for name, write in pairs(writers) do
      local ok, msg = write(dir)
      assert.is_nil(ok, name)
      assert.matches("is a directory", msg, 1, true)
      assert.matches(dir, msg, 1, true)
    end
    assert.are.same({}, names(dir))
  end)

  it("refuses a FIFO without a reader at once instead of waiting", function()
    local fifo = dir .. "/fifo"
    assert(os.execute("mkfifo " .. h.quote(fifo)))
    for name, write in pairs(writers) do
      local ok, msg = write(fifo)
      assert.is_nil(ok, name)
      assert.matches("no reader", msg, 1, true)
    end
    assert.are.same({"fifo"}, names(dir)) -- still the FIFO, nothing beside it
  end)

  it("writes straight into a FIFO that has a reader, never renaming over it", function()
    local fifo, out = dir .. "/fifo", dir .. "/out"
    assert(os.execute("mkfifo " .. h.quote(fifo)))
    os.execute(("cat %s > %s &"):format(h.quote(fifo), h.quote(out)))
    local ok
    for _ = 1, 200 do -- until cat has the FIFO open
      ok = sio.write_atomic(fifo, "through the pipe\n")
      if ok then break end
      os.execute("sleep 0.01")
    end
    assert.is_true(ok)
    for _ = 1, 200 do
      if (io.open(out) and slurp(out) or "") ~= "" then break end
      os.execute("sleep 0.01")
    end
    assert.are.equal("through the pipe\n", slurp(out))
    assert.is_true(os.execute("test -p " .. h.quote(fifo)))
  end)

  it("writes straight into a character device, which stays a device", function()
    local dev = dir .. "/null"
    if not os.execute("mknod " .. h.quote(dev) .. " c 1 3 2>/dev/null") then
      pending("mknod needs root")
      return
    end
    for name, write in pairs(writers) do
      assert.is_true(write(dev), name)
      assert.is_true(os.execute("test -c " .. h.quote(dev)), name)
    end
    assert.are.same({"null"}, names(dir))
  end)

  it("removes the temporaries of writers that died, keeping those of live ones", function()
    local p = dir .. "/w.safetensors"
    local dead, live = ("%s.tmp-%d"):format(p, dead_pid()), p .. ".tmp-1"
    for _, name in ipairs{dead, dead .. "-3", live, p .. ".tmp-x"} do
      assert(io.open(name, "w")):close()
    end
    assert.is_true(sio.save(p, {w = sfew.tensor.ones{2}}))
    assert.are.same({"w.safetensors", "w.safetensors.tmp-1", "w.safetensors.tmp-x"}, names(dir))
    local stale = ("%s/set.tmp-%d"):format(dir, dead_pid()) -- a killed folder publish
    assert(os.execute("mkdir -p " .. h.quote(stale .. "/Angry")))
    assert(io.open(stale .. "/Angry/a.png", "w")):close()
    local tmp = assert(sio.temp_name(dir .. "/set", true))
    assert.is_nil(sfew.data.list_dir(stale))
    assert.is_true(sio.rename_atomic(tmp, dir .. "/set"))
  end)

  it("cleans what a killed save left on the next save of the same file", function()
    local p = dir .. "/keep.safetensors"
    local script = ("local s = require 'sfew'; local t = s.tensor.ones{2000000}; "
      .. "for _ = 1, 200 do s.io.save(%q, {w = t}) end"):format(p)
    os.execute(("%s -e %s >/dev/null 2>&1 & echo $! > %s"):format(
      h.quote(h.sfewlua), h.quote(script), h.quote(dir .. "/pid")))
    local pid = assert(io.open(dir .. "/pid")):read("l")
    os.execute("sleep 0.3; kill -9 " .. pid .. " 2>/dev/null; sleep 0.05")
    os.remove(dir .. "/pid")
    assert.is_true(sio.save(p, {w = sfew.tensor.ones{1}}))
    assert.are.same({"keep.safetensors"}, names(dir))
  end)

  it("reserves temporary names for other writers and renames them into place", function()
    local p = dir .. "/plot.png"
    local a, b = assert(sio.temp_name(p)), assert(sio.temp_name(p))
    assert.are_not.equal(a, b)
    assert.are.equal(p .. ".tmp-", a:sub(1, #p + 5))
    assert(io.open(a, "w")):write("png"):close()
    assert.is_true(sio.rename_atomic(a, p))
    assert.are.equal("png", slurp(p))
    os.remove(b)
    local d = assert(sio.temp_name(dir .. "/set", true))
    assert.is_truthy(sfew.data.list_dir(d))
    assert.is_true(sio.rename_atomic(d, dir .. "/set"))
    assert.are.same({"plot.png", "set"}, names(dir))
  end)

  it("raises on arguments of the wrong type", function()
    assert.has_error(function() sio.write_atomic(5) end)
    assert.has_error(function() sio.write_atomic("p", {}) end)
    assert.has_error(function() sio.rename_atomic("p") end)
  end)
end)
