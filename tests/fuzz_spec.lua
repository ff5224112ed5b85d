-- The Lua fuzzer's regressions (tests/fuzz/lua/*.lua): each runs in its own sfewlua child
-- (the ASan + UBSan one in the asan suite) and must end without a crash or a sanitizer
-- report.
local h = require "helpers"
local core_data = require "sfew.core.data"

local dir = h.root .. "/tests/fuzz/lua/"

describe("Lua fuzzer regressions", function()
  local names = assert(core_data.list_dir(dir))
  for _, name in ipairs(names) do
    if name:match("%.lua$") then
      it("replays " .. name .. " without crashing", function()
        local ok, _, err, code = h.run({ dir .. name })
        assert.is_false(err:find("Sanitizer", 1, true) ~= nil, err)
        assert.is_false(err:find("runtime error:", 1, true) ~= nil, err)
        assert.is_true(ok, ("exit status %s: %s"):format(tostring(code), err))
      end)
    end
  end
end)
