-- sfew.optim (to be filled).
local M = {}

return M
