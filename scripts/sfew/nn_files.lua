-- sfew.nn's network files: nn.save, nn.load, nn.from_file, nn.from_torch and net:save. A
-- network file is a safetensors file holding the named parameters, the spec as JSON
-- ("sfew.spec") and caller data ("sfew.extra"); sfew.checkpoint adds training state.
-- Installed into sfew.nn by nn.lua, which hands over Sequential and the layer builders.
local argcheck = require "sfew.argcheck"
local json = require "sfew.json"
local params = require "sfew.params"
local sio = require "sfew.io"
local sys = require "sfew.core.sys"

return function(M, Sequential, builders)
  local SAVE_OPTIONS = argcheck.set { "extra", "names" }

  -- net:save(path [, {extra = {...}, names = "sfew" | "torch"}]), see nn.save. Checked
  -- here too, so a bad option is argument #2 of the method, as lauxlib counts.
  function Sequential:save(path, opts)
    argcheck.type(path, "string", 1, "save")
    argcheck.options(opts, SAVE_OPTIONS, 2, "save")
    return M.save(self, path, opts)
  end


  -- The first layer (depth first) that nn.build could not rebuild from its spec, as
  -- "layer 2 (a table with no spec method)" or "layer 3 (type 'Drop', which nn.register
  -- does not know)"; nil when every layer can be rebuilt.
  local function unbuildable(net, where)
    for i, m in ipairs(net) do
      local at = where .. i
      if getmetatable(m) == Sequential then
        local bad = unbuildable(m, at .. ".")
        if bad then return bad end
      else
        local ok, spec = pcall(function() return m:spec() end)
        if not ok or type(spec) ~= "table" then
          return ("layer %s (a %s with no spec method)"):format(at, type(m))
        elseif not builders[spec.type] then
          return ("layer %s (type '%s', which nn.register does not know)")
            :format(at, tostring(spec.type))
        end
      end
    end
  end

  -- nn.save(net, path [, {extra = {...}, names = "sfew" | "torch"}]) -> true, or nil,
  -- message on file trouble. extra: a JSON-able table stored under "sfew.extra". names =
  -- "torch" writes PyTorch's 0-based layer numbers ("0.weight"; nn.load reads them back,
  -- PyTorch's load_state_dict takes them). A network nn.load could not rebuild (a
  -- Lua-defined layer whose type is not registered) raises instead of writing a file.
  function M.save(net, path, opts)
    params.check_net(net, 1, "save")
    argcheck.type(path, "string", 2, "save")
    opts = argcheck.options(opts, SAVE_OPTIONS, 3, "save")
    if opts.names ~= nil and opts.names ~= "sfew" and opts.names ~= "torch" then
      argcheck.error(3, "save", "option 'names' must be \"sfew\" or \"torch\", got "
        .. tostring(opts.names))
    end
    if getmetatable(net) == Sequential then
      local bad = unbuildable(net, "")
      if bad then
        error("nn.save: " .. bad .. ": nn.load could not rebuild it; register its type with "
          .. "nn.register(type_name, builder)", 2)
      end
    end
    local tensors = {}
    local err = params.put(net, "", tensors)
    if err then error(err, 2) end
    local meta = { ["sfew.kind"] = "net",
      ["sfew.extra"] = json.encode(opts.extra or json.object()),
      ["sfew.spec"] = type(net.spec) == "function" and json.encode(net:spec()) or nil }
    return sio.save(path, tensors, meta, { names = opts.names })
  end

  -- The network meta["sfew.spec"] describes, with its parameters from the tensors of ts
  -- under prefix; or nil, message. The tensors are checked against the spec before the
  -- network is built, so a small file cannot make it allocate a huge one.
  function M.from_file(ts, meta, prefix, path)
    local text = meta["sfew.spec"]
    if not text and params.zero_based(ts, prefix) then
      return nil, ("checkpoint: '%s' holds no network spec and names its tensors 0-based, as "
        .. "PyTorch does (0.weight): read it with nn.from_torch(path, spec)"):format(path)
    elseif not text then
      return nil, ("checkpoint: '%s' holds no network spec (sfew.spec)"):format(path)
    end
    local spec, err = json.decode(text)
    if not spec then return nil, ("checkpoint: '%s': bad sfew.spec (%s)"):format(path, err) end
    local list = params.from_spec(spec)
    err = list and params.check(list, ts, prefix, path)
    if err then return nil, err end
    -- A spec the builder refuses (a negative size, an unknown layer) is a corrupt file,
    -- reported like one, not raised as misuse.
    local ok, net = pcall(M.build, spec)
    if not ok then
      return nil, ("checkpoint: '%s': bad sfew.spec (%s)"):format(path,
        (tostring(net):gsub("[%w_./-]*%.lua:%d+: ", "")))
    end
    err = params.check(params.expected(net), ts, prefix, path)
    if err then return nil, err end
    params.copy(net, ts, prefix)
    return net
  end

  -- nn.load(path [, io_opts]) -> net, extra; or nil, message when the file is missing or
  -- corrupt, or its tensors do not fit the network its spec describes. Reads network files
  -- and training checkpoints (whose network tensors are under "net.").
  function M.load(path, opts)
    argcheck.type(path, "string", 1, "load")
    local ts, meta = sio.load(path, opts)
    if not ts then return nil, meta end
    ts = params.from_torch_names(ts, meta)
    local extra, err = json.decode(meta["sfew.extra"] or "{}")
    if err then return nil, ("checkpoint: '%s': bad sfew.extra (%s)"):format(path, err) end
    local net
    net, err = M.from_file(ts, meta, meta["sfew.kind"] == "train" and "net." or "", path)
    if not net then return nil, err end
    return net, extra
  end

  -- nn.from_torch(path, spec_or_net [, io_opts]) -> net, or nil, message: a network whose
  -- parameters come from a safetensors file named as PyTorch names an nn.Sequential's
  -- state_dict ("0.weight", "3.bias": the layer's index - 1, counting the layers without
  -- parameters), e.g. one written by safetensors.torch.save_file(model.state_dict(), path)
  -- or by net:save(path, {names = "torch"}). spec_or_net is a spec (as net:spec() returns
  -- it; the network is built from it) or a Sequential, filled in place. Every name and
  -- shape must match both ways. A file sfew wrote with its own 1-based names is refused
  -- (read it with nn.load), so no tensor lands in the wrong layer.
  function M.from_torch(path, target, opts)
    argcheck.type(path, "string", 1, "from_torch")
    local is_net = getmetatable(target) == Sequential
    if not is_net and not (type(target) == "table" and type(target.type) == "string") then
      argcheck.expected(2, "from_torch", "network spec or Sequential", target)
    end
    local ts, meta = sio.load(path, opts)
    if not ts then return nil, meta end
    if meta["sfew.kind"] and meta["sfew.names"] ~= "torch" then
      return nil, ("from_torch: '%s' holds sfew's 1-based names (1.weight): read it with "
        .. "nn.load"):format(path)
    end
    local function torch_list(list)
      local out = {}
      for i, p in ipairs(list) do out[i] = { name = params.torch_name(p.name), shape = p.shape } end
      return out
    end
    local function check(list)
      local err = params.check(torch_list(list), ts, "", path, true)
      return err and (err:gsub("^checkpoint: ", "from_torch: "))
    end
    -- Checked against the spec before building, so a small file cannot make it allocate
    -- a huge network.
    local list = not is_net and params.from_spec(target)
    local err = list and check(list)
    if err then return nil, err end
    local net = is_net and target or M.build(target, { rng = sys.rng(0) })
    err = check(params.expected(net))
    if err then return nil, err end
    for _, np in ipairs(net:named_parameters()) do
      np.tensor:copy(ts[params.torch_name(np.name)])
    end
    return net
  end
end
