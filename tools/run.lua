-- The main job behind `make run`: generates the built-in synthetic faces when missing and
-- runs the paper's three experiments with small settings (experiments/paper.lua --quick).
-- Extra arguments go to paper.lua (e.g. `make run ARGS="--epochs 50"`).
local data = sfew.data
local root = package.sfew_root or "."

local dir = assert(data.default_faces())
-- counted from the folders: the experiments decode the images themselves
local counts, total = {}, 0
for i, class in ipairs(data.classes) do
  counts[i] = #assert(data.list_dir(dir .. "/" .. class))
  total = total + counts[i]
end
print(("data: %d synthetic faces in %s (%s)"):format(total, dir, table.concat(counts, " / ")))

local paper = require "experiments.paper"
local cli = require "sfew.cli"
local args = { "--quick", "--out", root .. "/reports" }
for _, a in ipairs(arg or {}) do args[#args + 1] = a end
local opts = assert(cli.parse(args, paper.spec))
paper.run(opts)
print("open " .. root .. "/reports/paper.md for the tables and plots")
