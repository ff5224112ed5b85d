-- luacheck settings: Lua 5.4, busted globals in specs, sfew is a global in sfewlua scripts.
std = "lua54"
max_line_length = 100
read_globals = { "sfew", package = { fields = { "sfew_root" } } }
files["tests"] = { std = "+busted" }
-- Generated reference values (PyTorch fixtures) are data, not code.
exclude_files = { "tests/fixtures/**" }
