-- sfew.tensor: float32 tensors. The C module does the work; this adds Lua conveniences.
local core = require "sfew.core.tensor"

return core
