-- The help() entries of sfew.nn: the constructors, Sequential and its methods, network
-- files, and the methods of the C layers by type name (as help(net[1]) finds them).
-- Installed by nn.lua once the module is complete.
local doc = require "sfew.doc"

return function(M, Sequential)
  doc.register(M, "sfew.nn", "Layers, criteria, Sequential, and network files (save, load).")
  doc.table(M, {
    Linear = { "nn.Linear(in, out [, {bias = true, rng}])",
      "A fully connected layer: y = x W^T + b, W out x in, PyTorch's initialisation. "
      .. "", "nn.Linear(32 * 10 * 13, 7, {rng = sfew.rng(1)})" },
    Conv2d = { "nn.Conv2d(cin, cout, k [, {stride = 1, padding = 0, bias = true, rng}])",
      "A 2-D convolution over (N, cin, H, W) with k x k kernels; weight cout x cin x k x k. "
      .. "", "nn.Conv2d(1, 16, 5, {rng = sfew.rng(1)})" },
    MaxPool2d = { "nn.MaxPool2d(k [, {stride = k}])",
      "Max-pooling over k x k windows (floor mode). ", "nn.MaxPool2d(2)" },
    ReLU = { "nn.ReLU()", "Element-wise max(0, x)." },
    Sigmoid = { "nn.Sigmoid()", "Element-wise 1 / (1 + exp(-x))." },
    Tanh = { "nn.Tanh()", "Element-wise hyperbolic tangent." },
    Flatten = { "nn.Flatten()", "Reshapes (N, ...) to (N, features), a view." },
    CrossEntropyLoss = { "nn.CrossEntropyLoss()",
      "Criterion: softmax cross-entropy from logits, mean over the batch; targets 1-based." },
    MSELoss = { "nn.MSELoss()", "Criterion: mean squared error over all elements." },
    BatchNorm2d = { "nn.BatchNorm2d(c [, {eps = 1e-5, momentum = 0.1, affine = true}])",
      "Batch normalisation of the c channels of (N, c, H, W), with running statistics." },
    BatchNorm1d = { "nn.BatchNorm1d(c [, {eps = 1e-5, momentum = 0.1, affine = true}])",
      "Batch normalisation of the c features of (N, c), with running statistics." },
    Dropout = { "nn.Dropout(p [, {rng}])",
      "Zeroes each element with probability p in training (scaling the rest by 1 / (1 - p))." },
    Dropout2d = { "nn.Dropout2d(p [, {rng}])",
      "Zeroes whole channels with probability p in training (the rest scaled by 1 / (1 - p))." },
    AvgPool2d = { "nn.AvgPool2d(k [, {stride = k, padding = 0, count_include_pad = true}])",
      "Average pooling over k x k windows." },
    AdaptiveAvgPool2d = { "nn.AdaptiveAvgPool2d(size | {oh, ow})",
      "Average pooling to a fixed output size." },
    LeakyReLU = { "nn.LeakyReLU([slope = 0.01])",
      "Element-wise x for x > 0, slope * x otherwise." },
    ELU = { "nn.ELU([alpha = 1])", "Element-wise x for x > 0, alpha * (exp(x) - 1) otherwise." },
    register = { "nn.register(type_name, builder [, class])",
      "Lets a Lua-defined layer (whose spec() has type = type_name) print, clone, save and load "
      .. "like a built-in one: builder(spec, opts) builds it; class, its instances' metatable, "
      .. "gets a __tostring so one prints alone too." },
    from_torch = { "nn.from_torch(path, spec_or_net [, io_opts])",
      "A network whose parameters come from a safetensors file with PyTorch's nn.Sequential "
      .. "names (\"0.weight\"); nil, message." },
    Sequential = { "nn.Sequential{m1, m2, ...}",
      "A chain of modules; net[i] is module i, #net their count. "
      .. "", "nn.Sequential{nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)}" },
    build = { "nn.build(spec [, {rng}])",
      "A module or Sequential built from a spec table as m:spec() returns it (new weights)." },
    save = { "nn.save(net, path [, {extra = {...}, names = \"sfew\" | \"torch\"}])",
      "Writes the net's parameters and spec (and JSON-able extra) to a safetensors file; "
      .. "names = \"torch\" writes PyTorch's 0-based names. true, or nil, message. ",
      "nn.save(net, \"net.safetensors\", {extra = {epoch = 5}})" },
    load = { "nn.load(path [, {max_bytes}])",
      "The network saved in path (a net file or a training checkpoint) and its extra; "
      .. "nil, message on trouble. ", "net, extra = nn.load(\"net.safetensors\")" },
    from_file = { "nn.from_file(tensors, meta, prefix, path)",
      "The network meta[\"sfew.spec\"] describes, with parameters from tensors under prefix; "
      .. "or nil, message (used by nn.load and checkpoint.load)." },
  })
  doc.table(Sequential, {
    add = { "net:add(m)", "Appends module m; returns net." },
    forward = { "net:forward(x)",
      "Runs x through every module; returns the output (also net.output)." },
    backward = { "net:backward(x, grad_out [, need_input = true])",
      "Backpropagates after net:forward(x); adds into parameter gradients; returns grad_input." },
    clear = { "net:clear()", "Frees the outputs and gradients the modules hold; returns net." },
    parameters = { "net:parameters()", "The parameter tensors of every module, in order." },
    named_parameters = { "net:named_parameters()",
      "{name = \"1.weight\", tensor = p} for each parameter (1-based layer indices)." },
    zero_grad = { "net:zero_grad()", "Sets every parameter gradient to zero; returns net." },
    train = { "net:train()", "Training mode for every module; returns net." },
    evaluate = { "net:evaluate()", "Evaluation mode for every module; returns net." },
    spec = { "net:spec()", "A plain table describing the architecture, for nn.build." },
    forward_to = { "net:forward_to(x, k)", "The output of layer k for x, running layers 1..k." },
    clone = { "net:clone()", "A deep copy with its own parameters (same values, masks and mode)." },
    state_dict = { "net:state_dict([{torch = false}])",
      "The parameters by name, \"1.weight\" (or PyTorch's \"0.weight\" with torch = true)." },
    freeze = { "net:freeze([first = 1 [, last = #net]])",
      "Keeps the parameters of layers first..last fixed in training; returns net." },
    unfreeze = { "net:unfreeze([first = 1 [, last = #net]])",
      "Undoes net:freeze for those layers; returns net." },
    frozen = { "net:frozen(i)", "Whether layer i is frozen." },
    trainable_parameters = { "net:trainable_parameters()",
      "The parameters of the layers that are not frozen (what an optimiser should get)." },
    frozen_parameters = { "net:frozen_parameters()", "The parameters of the frozen layers." },
    replace = { "net:replace(i, m)", "Puts module m in place of layer i; returns net." },
    save = { "net:save(path [, {extra = {...}, names = \"sfew\" | \"torch\"}])",
      "nn.save(net, path, opts): parameters, spec and extra to a safetensors file. "
      .. "", "assert(net:save(\"net.safetensors\"))" },
  })

  -- The C layers and criteria: their types and methods.
  local common = {
    parameters = { "l:parameters()", "The layer's parameter tensors (weight, bias), or {}." },
    zero_grad = { "l:zero_grad()", "Sets the parameter gradients to zero; returns l." },
    train = { "l:train()", "Training mode; returns l." },
    evaluate = { "l:evaluate()", "Evaluation mode; returns l." },
    spec = { "l:spec()", "A plain table describing the layer ({type = \"Linear\", ...})." },
    clear = { "l:clear()", "Frees the output and input gradient the layer holds; returns l." },
  }
  local forward = { "l:forward(x)", "The layer's output for x (also l.output, owned by l)." }
  local backward = { "l:backward(x, grad_out)",
    "The gradient with respect to x (also l.grad_input); adds into parameter gradients." }
  local set_params = { "l:set_params(weight, bias)",
    "Replaces the parameters by copies of weight and bias (shapes may change)." }
  local types = {
    Linear = { "Linear layer (nn.Linear): l.weight (out x in), l.bias, l.output, l.training.",
      { set_params = set_params } },
    Conv2d = { "Conv2d layer (nn.Conv2d): l.weight (cout x cin x k x k), l.bias, l.output.",
      { set_params = set_params,
        backward = { "l:backward(x, grad_out [, need_input = true])", backward[2]
          .. " need_input = false skips it (nil)." },
        set_mask = { "l:set_mask(list | nil)",
          "Zeroes the 1-based kernels in list and keeps them zero through training; nil clears." },
        mask = { "l:mask()", "The 1-based list of masked kernels (empty when none)." } } },
    MaxPool2d = { "MaxPool2d layer (nn.MaxPool2d).",
      { forward_relu = { "l:forward_relu(x)",
        "Pools ReLU(x) in one pass; the next backward gives the gradient before the ReLU." } } },
    ReLU = { "ReLU activation (nn.ReLU).",
      { forward_ = { "l:forward_(x)", "ReLU in place on x; returns x." },
        backward_ = { "l:backward_(x, g)", "Overwrites g with the input gradient; returns g." } } },
    Sigmoid = { "Sigmoid activation (nn.Sigmoid).", {} },
    Tanh = { "Tanh activation (nn.Tanh).", {} },
    Flatten = { "Flatten module (nn.Flatten): (N, ...) -> (N, features) views.", {} },
    CrossEntropyLoss = { "Cross-entropy criterion (nn.CrossEntropyLoss).",
      { forward = { "c:forward(logits, target)",
        "The mean cross-entropy (a number); target: 1-based classes, a tensor or a list." },
        backward = { "c:backward(logits, target)", "The gradient with respect to logits." },
        correct = { "c:correct(logits, target)",
          "How many rows have their largest logit at the target class." } } },
    BatchNorm2d = { "BatchNorm2d layer (nn.BatchNorm2d): l.weight, l.bias (c each), l.output.",
      { set_params = { "l:set_params(weight, bias, running_mean, running_var)",
        "Replaces parameters and running statistics by copies (weight, bias nil without affine)." },
        named_buffers = { "l:named_buffers()",
          "{{name = \"running_mean\", tensor = ...}, {name = \"running_var\", ...}}: views." } } },
    BatchNorm1d = { "BatchNorm1d layer (nn.BatchNorm1d).", {} },
    Dropout = { "Dropout module (nn.Dropout): identity in evaluation mode.", {} },
    Dropout2d = { "Dropout2d module (nn.Dropout2d): identity in evaluation mode.", {} },
    AvgPool2d = { "AvgPool2d layer (nn.AvgPool2d).", {} },
    AdaptiveAvgPool2d = { "AdaptiveAvgPool2d layer (nn.AdaptiveAvgPool2d).", {} },
    LeakyReLU = { "LeakyReLU activation (nn.LeakyReLU).", {} },
    ELU = { "ELU activation (nn.ELU).", {} },
    MSELoss = { "Mean squared error criterion (nn.MSELoss).",
      { forward = { "c:forward(input, target)", "The mean squared error (a number)." },
        backward = { "c:backward(input, target)", "The gradient with respect to input." } } },
  }
  for name, t in pairs(types) do
    doc.register("sfew." .. name, name, t[1])
    local methods = doc.methods("sfew." .. name)
    if methods then
      local d = { forward = forward, backward = backward }
      for k, v in pairs(common) do d[k] = v end
      for k, v in pairs(t[2]) do d[k] = v end
      doc.table(methods, d)
    end
  end
end
