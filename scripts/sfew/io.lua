-- sfew.io (to be filled).
local M = {}

return M
