-- sfew.prune (to be filled).
local M = {}

return M
