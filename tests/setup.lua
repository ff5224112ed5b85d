-- Run by busted before the specs (.busted: helper): with SFEW_TEST_TMP set (tests/run.sh
-- sets it), os.tmpname makes its files in that folder, so the runner can check that the
-- suite removed every temporary file it made.
local dir = os.getenv("SFEW_TEST_TMP")
if dir and dir ~= "" then
  local count = 0
  os.tmpname = function() -- luacheck: ignore 122 (the point is to replace it everywhere)
    while true do
      count = count + 1
      local name = ("%s/lua_%d_%06d"):format(dir, count, math.random(0, 999999))
      local f = io.open(name, "r")
      if f then f:close() else
        f = assert(io.open(name, "w")) -- created, as mkstemp does
        f:close()
        return name
      end
    end
  end
end
