-- The sfewlua prompt on a real terminal: tmux runs it in a pseudo-terminal, send-keys
-- types, capture-pane reads the screen. One session (a private socket and the history
-- file in a temporary HOME, removed at the end) serves the whole file; every check polls
-- with a timeout.
local h = require "helpers"

local socket -- a socket file in the spec's temporary folder, removed with it
local session = "repl" .. math.random(1e6)
local q = h.quote

local function tmux(args)
  local p = assert(io.popen("tmux -S " .. q(socket) .. " -f /dev/null " .. args .. " 2>&1"))
  local out = p:read("a")
  p:close()
  return out
end

local function screen()
  return tmux("capture-pane -p -J -S -300 -t " .. q(session))
end

-- Waits until the screen matches pattern (plain text unless lua_pattern); returns it.
local function wait_for(text, lua_pattern, timeout)
  local polls = math.floor((timeout or 5) / 0.03) -- os.clock is CPU time: count polls
  local s
  for _ = 1, polls do
    s = screen()
    if s:find(text, 1, not lua_pattern) then return s end
    os.execute("sleep 0.03")
  end
  error(("timed out waiting for %q; screen:\n%s"):format(text, s), 2)
end

local function type_text(text)
  -- tmux reads a final ';' in an argument as its own command separator
  tmux("send-keys -t " .. q(session) .. " -l " .. q((text:gsub(";$", "\\;"))))
end

local function key(name)
  tmux("send-keys -t " .. q(session) .. " " .. name)
end

local function enter(text)
  if text then type_text(text) end
  key("Enter")
end

describe("sfewlua prompt (on a terminal)", function()
  local home

  lazy_setup(function()
    home = h.tmpdir()
    socket = home .. "/tmux.sock"
    local cmd = "env HOME=" .. q(home) .. " " .. q(h.sfewlua)
    local p = assert(io.popen("cd " .. q(h.root) .. " && pwd"))
    local root = p:read("l") -- absolute, so the file-name completion finds tests/
    p:close()
    tmux("new-session -d -x 120 -y 40 -c " .. q(root) .. " -s " .. q(session) .. " " ..
      q(cmd))
    wait_for("> ")
  end)

  lazy_teardown(function()
    -- kill-server leaves the socket file behind: remove it too
    local path = tmux("display-message -p -t " .. q(session) .. " '#{socket_path}'")
      :match("^(/%S+)")
    tmux("kill-server")
    if path then os.remove(path) end
    h.rmdir(home)
  end)

  it("completes a nested name with Tab", function()
    type_text("sfew.ten")
    key("Tab")
    wait_for("> sfew.tensor")
    enter(".zeros{7}:numel() + 1000")
    wait_for("\n1007\n")
  end)

  it("completes a method of a live tensor after ':'", function()
    enter("t = sfew.tensor.zeros{2,3}")
    type_text("t:res")
    key("Tab")
    wait_for("> t:reshape")
    enter("{3,2}:size(1) + 2000")
    wait_for("\n2003\n")
  end)

  it("completes a file path inside an open string", function()
    type_text('m = dofile("tests/fixtures/script_mod')
    key("Tab")
    wait_for('script_module.lua"')
    enter(")")
    enter("m.run{values = {3000, 4}}.total")
    wait_for("\n3004\n")
  end)

  it("prints a table with a cycle marked", function()
    enter("c = {name = 'cyc'}; c.me = c")
    enter("c")
    wait_for('{me = <cycle: table: 0x%x+>, name = "cyc"}', true)
  end)

  it("shows help for a module and with ?name", function()
    enter("help(sfew.tensor)")
    wait_for("sfew.tensor.randn(shape [, rng])")
    enter("?sfew.tensor.zeros")
    wait_for("A tensor of zeros")
  end)

  it("keeps quiet after a trailing ';' and keeps the value in _", function()
    enter("4000 + 1;")
    enter("_ + 1")
    local s = wait_for("\n4002\n")
    assert.is_nil(s:find("\n4001\n", 1, true), s)
  end)

  it("stops an endless loop on Ctrl-C and keeps the state", function()
    enter("kept = 5000")
    enter("while true do local z = sfew.tensor.zeros{2} end")
    os.execute("sleep 0.2")
    key("C-c")
    wait_for("stdin:1: interrupted\n")
    enter("kept + 1")
    wait_for("\n5001\n")
  end)

  it("clears the line on Ctrl-C at the prompt", function()
    type_text("garbage")
    wait_for("> garbage")
    key("C-c")
    -- readline handles the signal asynchronously: text typed before it has redrawn the
    -- prompt would land on the line being dropped.
    os.execute("sleep 0.3")
    enter("6000 + 1")
    wait_for("\n6001\n")
  end)

  it("stops a training loop on Ctrl-C at its next step, the net intact", function()
    enter("net = sfew.nn.Sequential{ sfew.nn.Linear(4, 4), sfew.nn.Sigmoid() }")
    enter("opt = sfew.optim.SGD(net:parameters(), {lr = 0.1})")
    enter("x = sfew.tensor.randn({8, 4}, sfew.rng(1))")
    enter("mse = sfew.nn.MSELoss()")
    enter("steps = 0")
    enter("for i = 1, 1e9 do sfew.train.step(net, mse, opt, x, x); steps = i end")
    os.execute("sleep 0.5")
    key("C-c")
    local s = wait_for("stdin:1: interrupted\n")
    assert.is_nil(s:find("train.lua", 1, true), s) -- the user's line, not the library's
    enter("steps > 0, net[1].weight:all_finite()")
    wait_for("true%s+true", true)
  end)

  it("runs an experiment loaded as a module and keeps its results", function()
    local faces = home .. "/faces"
    assert(require("sfew").data.synthesize_faces{ dir = faces, n = 14, seed = 2 })
    enter("r = require('experiments.pic').run{epochs = 3, runs = 1, patches = 3, hidden = 4, "
      .. ("data = %q, out = %q}"):format(faces, home .. "/pic"))
    enter("#r.records, r.threshold.mode")
    wait_for("\n4%s+threshold\n", true, 20)
  end)
end)

