-- Reliability: reports, feature tables and generated data are written to a temporary name
-- and renamed, so killing the writing process (kill -9, mid-save) leaves the previous file
-- whole. (io.save has the same test in io_spec.lua.)
local h = require "helpers"

-- Starts sfewlua -e script in the background, kills it after `after` seconds.
local function kill_while(script, after, dir)
  local pidf = dir .. "/pid"
  os.execute(("%s -e %s >/dev/null 2>&1 & echo $! > %s"):format(
    h.quote(h.sfewlua), h.quote(script), h.quote(pidf)))
  local pid = assert(io.open(pidf)):read("l")
  os.execute(("sleep %g; kill -9 %s 2>/dev/null; sleep 0.05"):format(after, pid))
end

local slurp = h.slurp

describe("saving", function()
  local dir
  before_each(function() dir = h.tmpdir() end)
  after_each(function() h.rmdir(dir) end)

  describe("report.write_atomic", function()
    it("leaves the previous file intact when the writer is killed", function()
      local p = dir .. "/report.md"
      local report = require "sfew.report"
      assert(report.write_atomic(p, "old\n"))
      kill_while(("local r = require 'sfew.report'; local s = ('x'):rep(1 << 24) .. '\\n'; "
        .. "for _ = 1, 100 do r.write_atomic(%q, s) end"):format(p), 0.4, dir)
      local s = slurp(p)
      assert(s == "old\n" or #s == (1 << 24) + 1, "a partial file of " .. #s .. " bytes")
    end)
  end)

  describe("features.write_csv", function()
    it("leaves the previous table intact when the writer is killed", function()
      local p = dir .. "/table.csv"
      local script = ("local s = require 'sfew'; local f = require 'sfew.features'; "
        .. "local n = %d; local t = {x = s.tensor.ones{n, 16}, y = s.tensor.ones{n}}; "
        .. "for _ = 1, 100 do assert(f.write_csv(%q, t)) end")
      assert(h.run({ "-e", script:format(2, p) }))
      local old = slurp(p)
      kill_while(script:format(40000, p), 0.5, dir)
      local s = slurp(p)
      local lines = select(2, s:gsub("\n", "\n"))
      assert(s == old or lines == 40001, "a partial table of " .. lines .. " lines")
      assert.is_truthy(require("sfew").data.read_csv(p, { label = 2, quiet = true }))
    end)
    it("returns nil, message when the folder is missing, writing nothing", function()
      local f = require "sfew.features"
      local x = require("sfew").tensor.ones { 1, 1 }
      local ok, msg = f.write_csv(dir .. "/no/such/t.csv", { x = x })
      assert.is_nil(ok)
      assert.matches("no/such", msg, 1, true)
    end)
  end)

  describe("data.default_faces", function()
    it("builds the set in a temporary folder, so a killed run leaves no partial set", function()
      local out = dir .. "/faces"
      kill_while(("require('sfew').data.default_faces{dir = %q, n = 4000, width = 90, "
        .. "height = 72}"):format(out), 0.4, dir)
      assert.is_nil(require("sfew").data.list_dir(out)) -- never renamed into place
      local ok = h.run({ "-e", ("assert(require('sfew').data.default_faces{dir = %q, n = 14, "
        .. "width = 24, height = 20})"):format(out) })
      assert.is_true(ok)
      local ds = assert(require("sfew").data.image_folder(out, { width = 24, height = 20 }))
      assert.are.equal(14, #ds)
    end)
  end)
end)
