-- Documentation of the tensor methods that work on any dimension (permute, transpose,
-- narrow, select, index). sfew.doc registers these before its own tensor entries, so
-- these signatures are the ones help() shows. Returns a function of the registry.
local tensor = require "sfew.core.tensor"

return function(doc) doc.table(tensor.methods, {
  permute = { "t:permute(d1, ..., dn)",
    "A copy with the dimensions reordered: dimension i of the result is di of t "
      .. "(all n dimensions, each once; also t:permute{d1, ..., dn})." },
  transpose = { "t:transpose(d1, d2)",
    "A copy with dimensions d1 and d2 swapped (any two; a 2-D tensor may omit them)." },
  narrow = { "t:narrow(d, start, len)",
    "Elements start .. start + len - 1 of dimension d: a view sharing storage for d = 1, "
      .. "a copy otherwise." },
  select = { "t:select([d,] i)",
    "Slice i of dimension d (default 1), one dimension less: a view for d = 1, a copy "
      .. "otherwise." },
  index = { "t:index([d,] list)",
    "A copy of the slices of dimension d (default 1) listed by 1-based indices "
      .. "(a Lua list or a tensor), in that order." },
}) end
