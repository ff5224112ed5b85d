-- luacheck settings: Lua 5.4, busted globals in specs, sfew is a global in sfewlua scripts.
std = "lua54"
max_line_length = 100
read_globals = { "sfew" }
files["tests"] = { std = "+busted" }
exclude_files = { "tests/fixtures/**" } -- generated data: long lines of numbers
