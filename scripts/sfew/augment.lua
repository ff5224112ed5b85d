-- sfew.augment: data augmentation of (N, C, H, W) batches, composed as a list of operations
-- and run in C on the engine's threads (sfew.core.augment), re-exported by sfew.data:
--   local aug = data.augment{ data.flip(), data.shift(4), data.rotate(10),
--                             data.jitter{brightness = 0.2, contrast = 0.2}, data.erase{p = 0.5} }
--   local xa = aug:apply(x, rng)   -- a new tensor; x is left as it is
-- Each image draws from its own generator seeded from rng in image order: the same seed
-- gives the same bytes whatever the thread count.
local argcheck = require "sfew.argcheck"
local core = require "sfew.core.augment"

local M = {}

local function opts_of(opts, allowed, fname)
  return argcheck.options(opts, argcheck.set(allowed), 1, fname, 2)
end

-- data.flip{p = 0.5}: mirror left-right with probability p.
function M.flip(opts)
  opts = opts_of(opts, {"p"}, "flip")
  return {kind = "flip", p = opts.p or 0.5}
end

-- data.shift(pad, {p = 1, fill = 0}): translate by a whole number of pixels in
-- [-pad, pad] each way, filling the uncovered border (torchvision's RandomCrop of an image
-- zero-padded by pad).
function M.shift(pad, opts)
  argcheck.check(math.type(pad) == "integer" and pad >= 0, 1, "shift",
    "non-negative integer expected (the padding), got " .. tostring(pad))
  opts = argcheck.options(opts, argcheck.set{"p", "fill"}, 2, "shift")
  return {kind = "shift", pad = pad, p = opts.p or 1, fill = opts.fill or 0}
end

-- data.rotate(degrees, {scale = 0, p = 1, fill = 0}): rotate by an angle in
-- [-degrees, degrees] and scale by a factor in [1 - scale, 1 + scale] about the centre,
-- sampling bilinearly (torchvision's RandomAffine without shear or translation).
function M.rotate(degrees, opts)
  argcheck.check(type(degrees) == "number", 1, "rotate",
    "number expected (degrees), got " .. argcheck.typename(degrees))
  opts = argcheck.options(opts, argcheck.set{"scale", "p", "fill"}, 2, "rotate")
  return {kind = "affine", degrees = degrees, scale = opts.scale or 0, p = opts.p or 1,
    fill = opts.fill or 0}
end

-- data.scale(s, {p = 1, fill = 0}): scale by a factor in [1 - s, 1 + s], no rotation.
function M.scale(s, opts)
  argcheck.check(type(s) == "number", 1, "scale", "number expected, got " .. argcheck.typename(s))
  opts = argcheck.options(opts, argcheck.set{"p", "fill"}, 2, "scale")
  return {kind = "affine", degrees = 0, scale = s, p = opts.p or 1, fill = opts.fill or 0}
end

-- data.jitter{brightness = 0, contrast = 0, p = 1}: multiply by a factor in
-- [1 - brightness, 1 + brightness], then scale about the image mean by one in
-- [1 - contrast, 1 + contrast] (no clamping: the batch may be standardised).
function M.jitter(opts)
  opts = opts_of(opts, {"brightness", "contrast", "p"}, "jitter")
  return {kind = "jitter", brightness = opts.brightness or 0, contrast = opts.contrast or 0,
    p = opts.p or 1}
end

-- data.erase{p = 0.5, area = {0.02, 0.33}, ratio = 3.3, fill = 0}: torchvision's
-- RandomErasing: a rectangle covering a fraction of the image in area, of aspect ratio in
-- [1 / ratio, ratio], set to fill.
function M.erase(opts)
  opts = opts_of(opts, {"p", "area", "ratio", "fill"}, "erase")
  local area = opts.area or {0.02, 0.33}
  argcheck.check(type(area) == "table" and type(area[1]) == "number"
    and type(area[2]) == "number", 1, "erase", "option 'area' must be a list of two numbers")
  return {kind = "erase", p = opts.p or 0.5, area_lo = area[1], area_hi = area[2],
    ratio = opts.ratio or 3.3, fill = opts.fill or 0}
end

-- The operations a command line names, with their parameter after a colon (default in
-- brackets): flip, shift:PAD [2], rotate:DEGREES [10], scale:S [0.1], erase; "none" adds
-- nothing.
local parsers = {
  flip = function() return M.flip() end,
  shift = function(n) return M.shift(math.tointeger(n or 2)) end,
  rotate = function(n) return M.rotate(n or 10) end,
  scale = function(n) return M.scale(n or 0.1) end,
  erase = function() return M.erase() end,
  none = function() end,
}

-- data.parse_augment("flip,shift:2,rotate:10,erase") -> the list of operations, in order
-- (empty for "none"), for data.augment{...}.
function M.parse_augment(text)
  argcheck.type(text, "string", 1, "parse_augment")
  local ops = {}
  for item in (text .. ","):gmatch("([^,]*),") do
    local name, arg = item:match("^%s*(%a+)%s*:?%s*([^%s]*)%s*$")
    local n = tonumber(arg)
    if name and not parsers[name] then
      local near = argcheck.suggest(name, parsers)
      argcheck.error(1, "parse_augment", ("unknown augmentation '%s'%s"):format(name,
        near and (" (did you mean '%s'?)"):format(near) or ""))
    end
    local takes = name == "shift" and math.tointeger(n) and n >= 0 or
      (n and (name == "rotate" or name == "scale"))
    argcheck.check(name and (arg == "" or takes), 1, "parse_augment", ("'%s' in %q: want "
      .. "flip, shift:PAD, rotate:DEGREES, scale:S, erase or none"):format(item, text))
    ops[#ops + 1] = parsers[name](n)
  end
  return ops
end

local Augment = {}
Augment.__index = Augment
Augment.__name = "sfew.Augment"

-- data.augment{op, ...}: the operations, run in the order given.
function M.augment(ops)
  argcheck.type(ops, "table", 1, "augment")
  local list = {}
  for i, op in ipairs(ops) do
    argcheck.check(type(op) == "table" and type(op.kind) == "string", 1, "augment",
      ("operation %d is not an augmentation (made by data.flip, data.shift, ...)"):format(i))
    list[i] = op
  end
  return setmetatable({ops = list}, Augment)
end

-- aug:apply(x, rng) -> an augmented copy of the (N, C, H, W) tensor x; rng defaults to
-- the state's generator.
function Augment:apply(x, rng)
  return core.apply(self.ops, x, rng)
end

function Augment:__tostring()
  local names = {}
  for i, op in ipairs(self.ops) do names[i] = op.kind end
  return ("data.augment{%s}"):format(table.concat(names, ", "))
end

-- ---- documentation (help) -------------------------------------------------------------
local doc = require "sfew.doc"
doc.register(M, "sfew.augment", "Data augmentation of (N, C, H, W) batches (also in sfew.data).")
doc.register(Augment, "Augment", "A list of augmentations from data.augment{...}.")
doc.table(M, {
  flip = { "data.flip([{p = 0.5}])", "Augmentation: mirror left-right with probability p." },
  shift = { "data.shift(pad [, {p = 1, fill = 0}])",
    "Augmentation: translate by up to pad pixels each way, filling the border." },
  rotate = { "data.rotate(degrees [, {scale = 0, p = 1, fill = 0}])",
    "Augmentation: rotate by up to degrees (and scale by up to 1 +- scale) about the centre." },
  scale = { "data.scale(s [, {p = 1, fill = 0}])",
    "Augmentation: scale by a factor in [1 - s, 1 + s] about the centre." },
  jitter = { "data.jitter{brightness = 0, contrast = 0, p = 1}",
    "Augmentation: random brightness factor, then contrast about the image mean." },
  erase = { "data.erase{p = 0.5, area = {0.02, 0.33}, ratio = 3.3, fill = 0}",
    "Augmentation: set a random rectangle to fill (RandomErasing)." },
  parse_augment = { "data.parse_augment(text)",
    "The augmentations a command line names, comma-separated: flip, shift:PAD (2), "
    .. "rotate:DEGREES (10), scale:S (0.1), erase, none; a list for data.augment{...}. ",
    "aug = data.augment(data.parse_augment(\"flip,shift:2,rotate:10\"))" },
  augment = { "data.augment{op, ...}",
    "Composes augmentations, run in order by aug:apply(x, rng). "
    .. "", "aug = data.augment{data.flip(), data.shift(4)}" },
})
doc.table(Augment, {
  apply = { "aug:apply(x [, rng])",
    "An augmented copy of the (N, C, H, W) tensor x; the same seed gives the same result." },
})

return M
