-- The main job behind `make run`: generates the built-in synthetic faces when missing and
-- runs the paper's three experiments with small settings (experiments/paper.lua --quick).
-- Extra arguments go to paper.lua (e.g. `make run ARGS="--epochs 50"`).
local data = sfew.data
local root = package.sfew_root or "."

local dir = assert(data.default_faces())
local ds = assert(data.load_default())
print(("data: %d synthetic faces in %s (%s)"):format(#ds, dir, table.concat(ds.counts, " / ")))

local paper = require "experiments.paper"
local cli = require "cli"
local args = { "--quick", "--out", root .. "/reports" }
for _, a in ipairs(arg or {}) do args[#args + 1] = a end
local opts = assert(cli.parse(args, paper.spec))
paper.run(opts)
print("open " .. root .. "/reports/paper.md for the tables and plots")
