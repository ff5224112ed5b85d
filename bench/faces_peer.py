#!/usr/bin/python3
"""OpenCV's side of bench/faces.lua: detectMultiScale on the same frame with the same
parameters. Usage: faces_peer.py FRAME.png THREADS REPS CASCADE.xml...
Prints one line per cascade: <path> <median wall ms> <median CPU ms>."""
import statistics
import sys
import time

import cv2


def main():
    frame, threads, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    cv2.setNumThreads(threads)
    gray = cv2.cvtColor(cv2.imread(frame, cv2.IMREAD_COLOR), cv2.COLOR_BGR2GRAY)
    for path in sys.argv[4:]:
        cc = cv2.CascadeClassifier(path)
        cc.detectMultiScale(gray, 1.1, 3)  # warm-up
        wall, cpu = [], []
        for _ in range(reps):
            t0, c0 = time.perf_counter(), time.process_time()
            cc.detectMultiScale(gray, 1.1, 3)
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        print(path, statistics.median(wall), statistics.median(cpu))


if __name__ == "__main__":
    main()
