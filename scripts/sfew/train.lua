-- sfew.train (to be filled).
local M = {}

return M
