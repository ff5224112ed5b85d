-- sfew.tensor: float32 tensors, all of it in the C module sfew.core.tensor; this file is
-- the name users require.
local core = require "sfew.core.tensor"

return core
