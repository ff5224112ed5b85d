-- read_csv with a drop list holding non-numbers, and a cell with a NUL byte.
local core = require "sfew.core.data"
local path = os.tmpname()
local f = assert(io.open(path, "wb"))
f:write("name,x,label\nq,1,2\n")
f:close()
for _, drop in ipairs { { false }, { true }, { {} }, { math.mininteger }, { 0 / 0 } } do
  pcall(core.read_csv, path, { drop = drop })
end
f = assert(io.open(path, "wb"))
f:write("a,label\n0.5\0junk,1\n")
f:close()
core.read_csv(path)
os.remove(path)
