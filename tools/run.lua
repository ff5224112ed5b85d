-- The main job behind `make run`: a short demonstration on tensors (until the paper's
-- experiments land, see experiments/).
local tensor = sfew.tensor
-- The built-in synthetic faces (data/synthetic), generated on the first run.
local t0 = sfew.clock()
local faces = assert(sfew.data.load_default())
print(("synthetic faces: %d images of %s in %.1f s (%s)"):format(#faces,
  table.concat(faces.x:shape(), "x", 2), sfew.clock() - t0, table.concat(faces.classes, ", ")))
local rng = sfew.rng(1)
local a = tensor.randn({3, 4}, rng)
local b = tensor.randn({4, 2}, rng)
print("a random 3x4 matrix:")
print(a)
print("times a 4x2 one:")
print(a:matmul(b))
print(("sum %.4f, mean %.4f, max %.4f"):format(a:sum(), a:mean(), a:max()))
