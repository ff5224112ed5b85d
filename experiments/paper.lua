-- Runs the paper's three experiments (PIC pruning, the channel sweep, importance pruning)
-- and writes one report, reports/paper.md, with every table beside the paper's numbers.
-- --features TABLE.csv and --images DIR point them at a user's own SFEW table and frames.
-- About 2 hours with the default settings on 2 cores; --quick a few minutes.
local cli = require "sfew.cli"
local experiment = require "sfew.experiment"
local report = require "sfew.report"
local paper = require "sfew.paper"

local SECTIONS = { pic = true, channel_sweep = true, importance_prune = true }
local function parse_only(text)
  return cli.list(text, "only", function(n) return SECTIONS[n] and n end,
    "one of pic, channel_sweep, importance_prune")
end

local spec = experiment.extend(experiment.common{ out = "reports" }, {
  { "features", nil, "feature table (SFEW's CSV layout) for PIC (default: built-in)",
    type = "string" },
  { "images", nil, "image folder (one folder per class) for the CNN sections (default: "
    .. "built-in synthetic faces; --data is the same)", type = "string" },
  { "only", "pic,channel_sweep,importance_prune", "experiments to run, comma-separated",
    check = parse_only },
})
local M = { spec = spec }

local sections = { { "pic", paper.pic_section }, { "channel_sweep", paper.sweep_section },
  { "importance_prune", paper.prune_section } }

-- The options a section gets: what was given here, the section's own defaults otherwise.
local function section_options(o, name)
  local sub = { quick = o.quick, seed = o.seed, threads = o.threads, out = o.out .. "/" .. name,
    data = name == "pic" and o.features or (o.images or o.data) }
  for _, k in ipairs { "epochs", "runs", "lr", "batch", "limit", "crop", "detector" } do
    if o._given[k] then sub[k] = o[k] end
  end
  return sub
end

function M.run(opts)
  local o = experiment.options(spec, opts)
  o.out = o.out or "reports"
  report.mkdir(o.out)
  local want, results = {}, {}
  for _, name in ipairs(parse_only(o.only)) do want[name] = true end
  local parts = { experiment.title(o, "The paper, reproduced"), "Settings the paper does not "
    .. "state (learning rates, batch, kernel size, activation, the PIC optimiser and "
    .. "epochs, the split) are ours; each section says which.\n\n" }
  for _, s in ipairs(sections) do
    if want[s[1]] then
      local mod = require("experiments." .. s[1])
      local sub = section_options(o, s[1])
      results[s[1]] = mod.run(sub)
      local so = experiment.options(mod.spec, sub)
      experiment.apply_quick(so, mod.config.quick)
      parts[#parts + 1] = s[2](results[s[1]], so, report)
    end
  end
  parts[#parts + 1] = "## Options\n\n" .. experiment.settings(o)
  assert(report.write_atomic(o.out .. "/paper.md", table.concat(parts)))
  print("paper: report in " .. o.out .. "/paper.md")
  return results
end

local doc = require "sfew.doc"
doc.register(M, "experiments.paper",
  "The paper's three experiments and one report, reports/paper.md.")
doc.table(M, {
  run = { "require(\"experiments.paper\").run{only = \"pic,channel_sweep,importance_prune\", "
    .. "features, images, data, seed = 1, out = \"reports\", quick, ...}",
    "Runs the paper's experiments and writes out/paper.md beside the paper's numbers; "
    .. "returns each experiment's results by name." },
  spec = { "experiments.paper.spec", "The command-line options of paper.lua." },
})

return experiment.script(M, spec, "usage: sfewlua experiments/paper.lua [options]")
