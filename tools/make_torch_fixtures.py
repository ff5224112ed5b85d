#!/usr/bin/python3
"""Writes the PyTorch reference values for the layers, optimiser options, schedules and
losses beyond the paper's network into tests/fixtures/torch/<name>.lua.

Each file returns one Lua table; tensors are {shape = {...}, data = {...}} with data flat
and row-major, float32 values printed with 9 significant digits. Run from the repository
root with a Python that has torch (1.13): /usr/bin/python3 tools/make_torch_fixtures.py
"""
import math
import os
import sys

import warnings

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "torch")


def lua(v, indent="  "):
    """A Lua literal for a tensor, number, bool, string, list or dict (keys in order)."""
    if isinstance(v, torch.Tensor):
        t = v.detach().to(torch.float32).contiguous()
        shape = ", ".join(str(s) for s in t.shape)
        data = ", ".join(num(x) for x in t.flatten().tolist())
        return "{shape = {%s}, data = {%s}}" % (shape, data)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return num(v)
    if isinstance(v, str):
        return '"%s"' % v
    if isinstance(v, (list, tuple)):
        return "{" + ", ".join(lua(x, indent) for x in v) + "}"
    if isinstance(v, dict):
        inner = indent + "  "
        rows = ["%s%s = %s" % (inner, k, lua(x, inner)) for k, x in v.items()]
        return "{\n" + ",\n".join(rows) + "\n" + indent + "}"
    raise TypeError(type(v))


def num(x):
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return str(x)
    if math.isnan(x):
        return "0/0"
    if math.isinf(x):
        return "math.huge" if x > 0 else "-math.huge"
    return "%.9g" % x


def write(name, comment, table):
    path = os.path.join(OUT, name + ".lua")
    with open(path, "w") as f:
        f.write("-- %s\n" % comment)
        f.write("-- Generated from PyTorch %s by tools/make_torch_fixtures.py; values are "
                "float32, tensors row-major.\n" % torch.__version__)
        body = ",\n".join("  %s = %s" % (k, lua(v, "  ")) for k, v in table.items())
        f.write("return {\n" + body + "\n}\n")
    print("wrote", path)


def layer_case(layer, x, **extra):
    """Forward and backward of layer at x with a random grad_output."""
    x = x.clone().requires_grad_(True)
    y = layer(x)
    g = torch.randn_like(y)
    y.backward(g)
    case = {"input": x, "output": y, "grad_output": g, "grad_input": x.grad}
    case.update(extra)
    return case


def batchnorm():
    cases = {}
    for name, bn, shape in [("bn2d", torch.nn.BatchNorm2d(3, momentum=0.1), (4, 3, 5, 6)),
                            ("bn1d", torch.nn.BatchNorm1d(5, eps=1e-3, momentum=0.3), (8, 5)),
                            ("bn1d_3d", torch.nn.BatchNorm1d(4), (3, 4, 7))]:
        with torch.no_grad():
            bn.weight.copy_(torch.rand(bn.num_features) + 0.5)
            bn.bias.copy_(torch.randn(bn.num_features))
        c = {"eps": bn.eps, "momentum": bn.momentum, "weight": bn.weight.clone(),
             "bias": bn.bias.clone()}
        steps = []
        for _ in range(2):  # two training steps: running statistics move twice
            bn.zero_grad()
            s = layer_case(bn, torch.randn(*shape) * 2 + 1)
            s["grad_weight"] = bn.weight.grad.clone()
            s["grad_bias"] = bn.bias.grad.clone()
            s["running_mean"] = bn.running_mean.clone()
            s["running_var"] = bn.running_var.clone()
            steps.append(s)
        c["train"] = steps
        bn.eval()
        bn.zero_grad()
        s = layer_case(bn, torch.randn(*shape) * 2 + 1)
        s["grad_weight"] = bn.weight.grad.clone()
        s["grad_bias"] = bn.bias.grad.clone()
        c["eval"] = s
        cases[name] = c
    write("batchnorm", "BatchNorm1d/2d: two training steps (running statistics after each) "
          "from weight/bias, then one evaluation step", cases)


def pools():
    cases = {}
    for name, k, s, p, cip, shape in [("avg_k2", 2, 2, 0, True, (2, 3, 6, 7)),
                                      ("avg_k3_s2_p1", 3, 2, 1, True, (2, 2, 7, 8)),
                                      ("avg_k3_s2_p1_nopad", 3, 2, 1, False, (2, 2, 7, 8)),
                                      ("avg_k3_s1", 3, 1, 0, True, (1, 2, 5, 5))]:
        layer = torch.nn.AvgPool2d(k, stride=s, padding=p, count_include_pad=cip)
        cases[name] = layer_case(layer, torch.randn(*shape), kernel=k, stride=s, padding=p,
                                 count_include_pad=cip)
    for name, out, shape in [("adaptive_3x4", (3, 4), (2, 3, 7, 9)),
                             ("adaptive_global", (1, 1), (2, 4, 5, 6)),
                             ("adaptive_overlap", (3, 4), (1, 2, 4, 6)),
                             ("adaptive_up", (5, 3), (1, 1, 3, 2))]:
        layer = torch.nn.AdaptiveAvgPool2d(out)
        cases[name] = layer_case(layer, torch.randn(*shape), output_size=list(out))
    write("avgpool2d", "AvgPool2d (kernel, stride, padding, count_include_pad) and "
          "AdaptiveAvgPool2d (output_size)", cases)


def activations():
    x = torch.randn(4, 6) * 2
    cases = {
        "leaky_relu": layer_case(torch.nn.LeakyReLU(), x, negative_slope=0.01),
        "leaky_relu_02": layer_case(torch.nn.LeakyReLU(0.2), x, negative_slope=0.2),
        "elu": layer_case(torch.nn.ELU(), x, alpha=1.0),
        "elu_05": layer_case(torch.nn.ELU(alpha=0.5), x, alpha=0.5),
    }
    write("activations_more", "LeakyReLU (negative_slope) and ELU (alpha)", cases)


def optim():
    start = torch.randn(6)
    grads = [torch.randn(6) for _ in range(4)]
    t = {"start": start, "grads": grads}
    for name, hyper in [("adamw", {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8,
                                   "weight_decay": 1e-2}),
                        ("adamw_big", {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6,
                                       "weight_decay": 0.5})]:
        p = start.clone().requires_grad_(True)
        opt = torch.optim.AdamW([p], **hyper)
        after = []
        for g in grads:
            p.grad = g.clone()
            opt.step()
            after.append(p.detach().clone())
        t[name] = {"hyper": {"lr": hyper["lr"], "betas": list(hyper["betas"]),
                             "eps": hyper["eps"], "weight_decay": hyper["weight_decay"]},
                   "params_after": after}
    for name, max_norm in [("clip", 1.5), ("clip_none", 100.0)]:
        gs = [torch.randn(3, 4), torch.randn(5), torch.randn(2, 2, 2)]
        ps = [torch.zeros_like(g, requires_grad=True) for g in gs]
        for p, g in zip(ps, gs):
            p.grad = g.clone()
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm)
        t[name] = {"max_norm": max_norm, "grads": gs, "total_norm": float(total),
                   "grads_after": [p.grad.clone() for p in ps]}
    write("optim_more", "AdamW steps (start from `start`, apply grads[i] at step i) and "
          "clip_grad_norm_ (grads before and after, the total norm)", t)


def lr_sequence(make, epochs, metrics=None, lr=0.1):
    """lrs[1] is the lr after construction, lrs[k + 1] after the k-th step."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    sched = make(opt)
    lrs = [opt.param_groups[0]["lr"]]
    for e in range(epochs):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[e])
        lrs.append(opt.param_groups[0]["lr"])
    return lrs


def schedules():
    S = torch.optim.lr_scheduler
    t = {}
    t["step"] = {"step_size": 3, "gamma": 0.5,
                 "lrs": lr_sequence(lambda o: S.StepLR(o, 3, gamma=0.5), 12)}
    t["cosine"] = {"T_max": 10, "eta_min": 0.001,
                   "lrs": lr_sequence(lambda o: S.CosineAnnealingLR(o, 10, eta_min=0.001), 14)}
    w, T = 3, 12

    def warm(o):
        lin = S.LinearLR(o, start_factor=1.0 / w, end_factor=1.0, total_iters=w - 1)
        cos = S.CosineAnnealingLR(o, T - w, eta_min=0.0)
        return S.SequentialLR(o, [lin, cos], milestones=[w])
    t["cosine_warmup"] = {"T_max": T, "eta_min": 0.0, "warmup": w, "lrs": lr_sequence(warm, T)}
    metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.89, 0.9, 0.9, 0.9, 0.9, 0.5, 0.6, 0.6,
               0.6, 0.6, 0.6, 0.6]
    t["plateau_min"] = {"factor": 0.5, "patience": 2, "threshold": 1e-4, "mode": "min",
                        "metrics": metrics,
                        "lrs": lr_sequence(lambda o: S.ReduceLROnPlateau(
                            o, mode="min", factor=0.5, patience=2, threshold=1e-4), len(metrics),
                            metrics)}
    acc = [0.3, 0.4, 0.4, 0.41, 0.405, 0.41, 0.39, 0.5, 0.5, 0.5, 0.5, 0.5]
    t["plateau_max"] = {"factor": 0.1, "patience": 1, "threshold": 0.01, "mode": "max",
                        "metrics": acc,
                        "lrs": lr_sequence(lambda o: S.ReduceLROnPlateau(
                            o, mode="max", factor=0.1, patience=1, threshold=0.01), len(acc),
                            acc)}
    write("schedules", "learning-rate schedules on SGD(lr = 0.1): lrs[1] after construction, "
          "lrs[k + 1] after the k-th step (ReduceLROnPlateau steps on metrics[k])", t)


def losses():
    t = {}
    x = torch.randn(6, 5)
    target = torch.tensor([0, 4, 2, 2, 1, 3])
    w = torch.rand(5) + 0.2
    for name, kw in [("smooth", {"label_smoothing": 0.1}),
                     ("weight", {"weight": w}),
                     ("weight_smooth", {"weight": w, "label_smoothing": 0.2})]:
        xi = x.clone().requires_grad_(True)
        loss = torch.nn.CrossEntropyLoss(**kw)(xi, target)
        loss.backward()
        case = {"input": x, "target0": target.tolist(),
                "label_smoothing": kw.get("label_smoothing", 0.0), "loss": float(loss),
                "grad_input": xi.grad}
        if "weight" in kw:
            case["weight"] = w
        t[name] = case
    write("losses_more", "CrossEntropyLoss with label smoothing and class weights, mean "
          "reduction; class targets are 0-based here", t)


def main():
    warnings.simplefilter("ignore")  # SequentialLR calls step(epoch), which 1.13 deprecates
    torch.manual_seed(17)
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    batchnorm()
    pools()
    activations()
    optim()
    schedules()
    losses()
    return 0


if __name__ == "__main__":
    sys.exit(main())
