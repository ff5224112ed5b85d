#!/usr/bin/python3
"""Makes tests/fixtures/faces/: small photographs from Debian packages and what OpenCV's
CascadeClassifier (python3-opencv 4.6) finds in them, for the detector's exactness specs.

Run with Debian's python3 (it has cv2): /usr/bin/python3 tools/make_face_fixtures.py
Writes *.png (the images, downscaled) and windows.csv with one row per box:
  image,cascade,what,x,y,w,h,neighbors
what: raw1  = raw windows at one scale (min size = max size = the cascade window,
              min neighbours 0),
      group = cv2.groupRectangles(raw1, 1, 0.2) on those windows,
      rawall = raw windows over the whole pyramid (scale 1.1, min neighbours 0),
      full  = detectMultiScale2(scale 1.1, min neighbours 3) with numDetections,
      odd1/odd2/odd3 = raw windows for sizes no pyramid level matches (min = max = 1.5
              windows; min 1000x1000; max 10x10): OpenCV then takes the level nearest
              the min size.
"""
import os
import sys

import cv2

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                   "faces")
HAAR = "/usr/share/opencv4/haarcascades/"
LBP = "/usr/share/opencv4/lbpcascades/"
CASCADES = {
    "haar_default": HAAR + "haarcascade_frontalface_default.xml",
    "haar_alt": HAAR + "haarcascade_frontalface_alt.xml",
    "haar_alt2": HAAR + "haarcascade_frontalface_alt2.xml",
    "lbp": LBP + "lbpcascade_frontalface.xml",
    "lbp_improved": LBP + "lbpcascade_frontalface_improved.xml",
}
SK = "/usr/lib/python3/dist-packages/skimage/data/"
# name: (source, output width, output height, colour)
IMAGES = {
    "hopper": ("/usr/share/doc/facedetect/examples/grace_hopper_512x512.jpg", 160, 160, True),
    "astronaut": (SK + "astronaut.png", 176, 176, True),
    "camera": (SK + "camera.png", 144, 144, False),
    "rocket": (SK + "rocket.jpg", 160, 106, True),
    # faces about the size of a cascade window, for the single-scale windows
    "hopper_s": ("/usr/share/doc/facedetect/examples/grace_hopper_512x512.jpg", 64, 64, False),
    "astronaut_s": (SK + "astronaut.png", 96, 96, False),
    "camera_s": (SK + "camera.png", 200, 200, False),
}


# A full-resolution head (gray, the eyes big enough for haarcascade_eye), for alignment.
HEAD = (SK + "astronaut.png", 120, 0, 200, 200)


def boxes(rows, name, casc, what, rects, neigh=None):
    for i, (x, y, w, h) in enumerate(rects):
        n = int(neigh[i]) if neigh is not None else 1
        rows.append(f"{name},{casc},{what},{x},{y},{w},{h},{n}")


def main():
    os.makedirs(OUT, exist_ok=True)
    cv2.setNumThreads(1)
    rows = ["image,cascade,what,x,y,w,h,neighbors"]
    for name, (src, w, h, colour) in IMAGES.items():
        img = cv2.imread(src, cv2.IMREAD_COLOR)
        if img is None:
            sys.exit(f"cannot read {src}")
        small = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)
        if not colour:
            small = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
        cv2.imwrite(os.path.join(OUT, name + ".png"), small)
        back = cv2.imread(os.path.join(OUT, name + ".png"), cv2.IMREAD_UNCHANGED)
        gray = back if back.ndim == 2 else cv2.cvtColor(back, cv2.COLOR_BGR2GRAY)
        for casc, path in CASCADES.items():
            cc = cv2.CascadeClassifier(path)
            cw, ch = cc.getOriginalWindowSize()
            raw1 = cc.detectMultiScale(gray, 1.1, 0, 0, (cw, ch), (cw, ch))
            raw1 = sorted(tuple(int(v) for v in r) for r in raw1)
            boxes(rows, name, casc, "raw1", raw1)
            if raw1:
                g, wts = cv2.groupRectangles([list(r) for r in raw1], 1, 0.2)
                boxes(rows, name, casc, "group", [tuple(int(v) for v in r) for r in g], wts)
            rawall = cc.detectMultiScale(gray, 1.1, 0)
            boxes(rows, name, casc, "rawall", sorted(tuple(int(v) for v in r) for r in rawall))
            odd = [((round(cw * 1.5), round(ch * 1.5)), (round(cw * 1.5), round(ch * 1.5))),
                   ((1000, 1000), (0, 0)), ((0, 0), (10, 10))]
            for k, (mn, mx) in enumerate(odd):
                r = cc.detectMultiScale(gray, 1.1, 0, 0, mn, mx)
                boxes(rows, name, casc, f"odd{k + 1}",
                      sorted(tuple(int(v) for v in b) for b in r))
            full, num = cc.detectMultiScale2(gray, 1.1, 3)
            boxes(rows, name, casc, "full", [tuple(int(v) for v in r) for r in full], num)
    src, x, y, w, h = HEAD
    head = cv2.cvtColor(cv2.imread(src, cv2.IMREAD_COLOR), cv2.COLOR_BGR2GRAY)
    cv2.imwrite(os.path.join(OUT, "astronaut_head.png"), head[y:y + h, x:x + w])
    with open(os.path.join(OUT, "windows.csv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    print(f"wrote {len(rows) - 1} boxes for {len(IMAGES)} images to {OUT}")


if __name__ == "__main__":
    main()
