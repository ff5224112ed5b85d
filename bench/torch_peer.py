"""The PyTorch peer of bench/work.lua: the same workloads, printed the same way.
Usage: /usr/bin/python3 bench/torch_peer.py MODE C1 C2 N REPS THREADS"""
import resource
import sys
import time

import torch
import torch.nn as nn

mode, c1, c2, n, reps, threads = sys.argv[1], *map(int, sys.argv[2:7])
torch.set_num_threads(threads)
torch.manual_seed(1)

if mode == "pic":
    net = nn.Sequential(nn.Linear(11, 10), nn.Sigmoid(), nn.Linear(10, 11))
    crit = nn.MSELoss()
    x = torch.rand(540, 11)
    y = x
else:
    h, w = ((72 - 4) // 2 - 4) // 3, ((90 - 4) // 2 - 4) // 3
    net = nn.Sequential(
        nn.Conv2d(1, c1, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, 5), nn.ReLU(), nn.MaxPool2d(3),
        nn.Flatten(), nn.Linear(c2 * h * w, 7))
    crit = nn.CrossEntropyLoss()
    x = torch.rand(n, 1, 72, 90)
    y = torch.randint(0, 7, (n,))
opt = torch.optim.Adam(net.parameters(), lr=1e-3)


def step(xb, yb):
    opt.zero_grad()
    loss = crit(net(xb), yb)
    loss.backward()
    opt.step()


def epoch():
    if mode == "full":
        step(x, y)
    elif mode == "mb32":
        for s in range(0, n, 32):
            step(x[s:s + 32], y[s:s + 32])
    elif mode == "infer":
        net.eval()
        with torch.no_grad():
            net(x)
    elif mode == "pic":
        for _ in range(200):
            step(x, y)


epoch()
for _ in range(reps):
    t0 = time.perf_counter()
    epoch()
    t = time.perf_counter() - t0
    print("time %.6f" % (t / 200 if mode == "pic" else t))
print("peak_mb %.1f" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
