-- No require cycles among the Lua files under scripts/: every literal require (at the top
-- of a file or inside a function) is an edge from the requiring module to the required
-- one, and the graph must have no cycle.
local h = require "helpers"

-- Every .lua file under dir, as paths relative to dir.
local function lua_files(dir)
  local out = {}
  local p = assert(io.popen("cd '" .. dir .. "' && find . -name '*.lua' | sort"))
  for line in p:lines() do out[#out + 1] = line:gsub("^%./", "") end
  p:close()
  return out
end

-- "sfew/data/folder.lua" -> "sfew.data.folder"; "sfew/x/init.lua" -> "sfew.x".
local function module_name(path)
  return (path:gsub("%.lua$", ""):gsub("/init$", ""):gsub("/", "."))
end

-- Module names a source requires with a literal name, in the forms require "m",
-- require 'm', require("m") and pcall(require, "m").
local function requires(src)
  local out = {}
  src = src:gsub("%-%-%[(=*)%[.-%]%1%]", ""):gsub("%-%-[^\n]*", "")
  for _, pat in ipairs { "require%s*%(?%s*[\"']([%w_%.]+)[\"']",
                         "pcall%(%s*require%s*,%s*[\"']([%w_%.]+)[\"']" } do
    for name in src:gmatch(pat) do out[#out + 1] = name end
  end
  return out
end

-- The graph: module -> list of modules it requires that are files under scripts/.
local function graph(dir)
  local edges, known = {}, {}
  for _, f in ipairs(lua_files(dir)) do known[module_name(f)] = f end
  for name, f in pairs(known) do
    local src = assert(io.open(dir .. "/" .. f)):read("a")
    edges[name] = {}
    for _, dep in ipairs(requires(src)) do
      if known[dep] then table.insert(edges[name], dep) end
    end
  end
  return edges
end

-- A cycle as a list "a -> b -> a", or nil.
local function find_cycle(edges)
  local state, stack = {}, {}
  local function visit(n)
    state[n] = "open"
    stack[#stack + 1] = n
    for _, d in ipairs(edges[n] or {}) do
      if state[d] == "open" then
        local from = 1
        while stack[from] ~= d do from = from + 1 end
        return table.concat(table.move(stack, from, #stack, 1, {}), " -> ") .. " -> " .. d
      end
      if not state[d] then
        local c = visit(d)
        if c then return c end
      end
    end
    stack[#stack] = nil
    state[n] = "done"
  end
  local names = {}
  for n in pairs(edges) do names[#names + 1] = n end
  table.sort(names)
  for _, n in ipairs(names) do
    if not state[n] then
      local c = visit(n)
      if c then return c end
    end
  end
end

describe("the require graph of scripts/", function()
  it("finds a cycle when there is one", function()
    assert.are.equal("a -> b -> a", find_cycle { a = {"b"}, b = {"a"} })
    assert.is_nil(find_cycle { a = {"b"}, b = {"c"}, c = {} })
    assert.are.same({"x.y", "z"}, requires('local a = require "x.y"\n' ..
      '-- require "commented"\nlocal ok = pcall(require, "z")'))
  end)

  it("has no cycle", function()
    local edges = graph(h.root .. "/scripts")
    assert.is_not_nil(edges["sfew.nn"])
    assert.is_nil(find_cycle(edges))
  end)
end)
