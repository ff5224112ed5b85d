-- sfew.repl.run, through the sfewlua prompt fed on stdin: errors name the user's line
-- first, even when raised inside the library, and Ctrl-C prints "interrupted" with the
-- user's line instead of the library's frames.
local h = require "helpers"
local q = h.quote

-- Runs the prompt on `input`, sends SIGINT after `delay` seconds (once per entry of
-- delays), and returns stdout, stderr.
local function run_interrupted(input, delays)
  local dir = h.tmpdir()
  local f = assert(io.open(dir .. "/in.lua", "w"))
  f:write(input)
  f:close()
  local kills = {}
  for _, d in ipairs(delays) do kills[#kills + 1] = ("sleep %s; kill -INT $pid"):format(d) end
  local script = ("%s < %s > %s 2> %s & pid=$!; %s; sleep 0.5; kill $pid 2>/dev/null; wait $pid")
    :format(q(h.sfewlua), q(dir .. "/in.lua"), q(dir .. "/out"), q(dir .. "/err"),
      table.concat(kills, "; "))
  os.execute("sh -c " .. q(script))
  local out = assert(io.open(dir .. "/out")):read("a")
  local err = assert(io.open(dir .. "/err")):read("a")
  h.rmdir(dir)
  return out, err
end

describe("sfew.repl", function()
  describe(".help", function()
    it("lists the methods of a layer and of a Sequential, not their private fields", function()
      local ok, out = h.run({}, "l = sfew.nn.Linear(2, 2)\nhelp(l)\nprint('--')\n" ..
        "help(sfew.nn.Sequential{l})\n")
      assert.is_true(ok)
      local layer, net = out:match("^(.*)%-%-\n(.*)$")
      assert.matches("methods:\n.*  l:forward%(x%)", layer)
      assert.matches("methods:\n.*  net:forward%(x%)", net)
      assert.matches("  net:add%(m%)", net)
      assert.not_matches("_modules", net)
    end)
  end)

  describe(".run at the prompt", function()
    it("puts the user's line first on an error raised inside the library", function()
      local ok, _, err = h.run({}, "x = 1\nsfew.tensor.zeros{2}:reshape('a')\n")
      assert.is_true(ok)
      assert.matches("^sfewlua: stdin:1: ", err)
      assert.matches("stack traceback:", err)
      assert.not_matches("repl%.lua", err) -- the prompt's own frames are left out
    end)
    it("keeps the message of an error raised at the prompt and counts lines of a statement",
      function()
        local _, out, err = h.run({},
          "error('boom')\nfor i = 1, 2 do\n  y.z = i\nend\nprint('on')\n")
        assert.matches("sfewlua: stdin:1: boom\n", err, 1, true)
        assert.matches("sfewlua: stdin:2: attempt to index a nil value (global 'y')", err, 1, true)
        assert.matches("on", out)
      end)
    it("says which line a Ctrl-C interrupted, in the user's code and in the library", function()
      local out, err = run_interrupted("while true do end\nprint('alive')\n" ..
        "a = sfew.tensor.zeros{300, 300}\nfor _ = 1, 1e9 do sfew.prune.min_angle(a) end\n" ..
        "print('alive again')\n", { 1, 1.5 })
      assert.matches("alive\n", out)
      assert.matches("alive again", out)
      -- the time each took may follow each message: "(1.01 s)"
      local _, count = err:gsub("sfewlua: stdin:1: interrupted\n", "")
      assert.are.equal(2, count, err)
      assert.not_matches("prune%.lua", err)
      assert.not_matches("traceback", err)
    end)
  end)
end)
