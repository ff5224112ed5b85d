-- sfew.nn (to be filled).
local M = {}

return M
