-- sfew.data (to be filled).
local M = {}

return M
