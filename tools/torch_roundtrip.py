#!/usr/bin/python3
"""Round trip of an sfew network through PyTorch, for tests/torch_interop_spec.lua.

usage: torch_roundtrip.py NET X OUT PT
Reads NET (written by net:save(path, {names = "torch"})), builds the same nn.Sequential
from its "sfew.spec" metadata, loads the tensors with load_state_dict(strict=True), runs
it on the tensor "x" of X and writes the result as "output" to OUT; then writes the
model's state_dict to PT the way safetensors.torch.save_file does (0-based names). The
safetensors format is read and written here with json and struct, so the script needs
torch alone.
"""
import json
import struct
import sys

import torch
from torch import nn


def read_safetensors(path):
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", name
        begin, end = info["data_offsets"]
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32)
        tensors[name] = flat.reshape(info["shape"]).clone()
    return tensors, meta


def write_safetensors(path, tensors, meta):
    header, chunks, offset = {"__metadata__": meta}, [], 0
    for name in sorted(tensors):
        raw = tensors[name].detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def build(spec):
    kind = spec["type"]
    if kind == "Sequential":
        return nn.Sequential(*[build(s) for s in spec["layers"]])
    if kind == "Linear":
        return nn.Linear(spec["in_features"], spec["out_features"], bias=spec["bias"])
    if kind == "Conv2d":
        return nn.Conv2d(spec["in_channels"], spec["out_channels"], spec["kernel"],
                         stride=spec["stride"], padding=spec["padding"], bias=spec["bias"])
    if kind == "MaxPool2d":
        return nn.MaxPool2d(spec["kernel"], stride=spec["stride"])
    return {"ReLU": nn.ReLU, "Sigmoid": nn.Sigmoid, "Tanh": nn.Tanh,
            "Flatten": nn.Flatten}[kind]()


def main(net_path, x_path, out_path, pt_path):
    tensors, meta = read_safetensors(net_path)
    model = build(json.loads(meta["sfew.spec"]))
    model.load_state_dict(tensors, strict=True)
    model.eval()
    x = read_safetensors(x_path)[0]["x"]
    with torch.no_grad():
        out = model(x)
    write_safetensors(out_path, {"output": out}, {})
    write_safetensors(pt_path, model.state_dict(), {"format": "pt"})


if __name__ == "__main__":
    main(*sys.argv[1:5])
