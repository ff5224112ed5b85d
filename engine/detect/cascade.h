/* Viola-Jones object detection with OpenCV's trained cascades (the XML files of OpenCV 3/4,
 * BOOST stages of HAAR or LBP features), evaluated the way OpenCV 4.6's
 * CascadeClassifier::detectMultiScale does, so the same file finds the same windows. */
#ifndef SFEW_DETECT_CASCADE_H
#define SFEW_DETECT_CASCADE_H

#include <stddef.h>
#include <stdint.h>

#include "../status.h"

/* Cascade files larger than this are refused before they are read (the largest of
 * OpenCV's, haarcascade_frontalface_alt_tree, is under 3 MB). */
#define SFEW_CASCADE_MAX_BYTES (INT64_C(1) << 26)

typedef struct sfew_cascade sfew_cascade;

typedef enum { SFEW_CASCADE_HAAR = 1, SFEW_CASCADE_LBP = 2 } sfew_cascade_kind;

/* One detection in pixels (0-based here); neighbors is how many raw windows were merged
 * into it (1 for raw windows). */
typedef struct sfew_box {
    int x, y, w, h, neighbors;
} sfew_box;

typedef struct sfew_detect_opts {
    double scale_factor; /* > 1: each pyramid level shrinks the image by this */
    int min_neighbors;   /* groups with this many windows or fewer are dropped; 0 = raw */
    int min_w, min_h;    /* smallest window reported (0: the cascade's window) */
    int max_w, max_h;    /* largest (0: the image) */
    int threads;         /* worker threads; results never depend on it */
} sfew_detect_opts;

/* scale_factor 1.1, min_neighbors 3, no size limits, one thread. */
void sfew_detect_opts_default(sfew_detect_opts *o);

/* Parses cascade XML text (len bytes; name is used in messages). Creates *out, which the
 * caller frees with sfew_cascade_free. SFEW_EIO naming name and the problem for text that is
 * not XML, is truncated, is an old-format or non-BOOST cascade, has tilted features, or
 * holds out-of-range indices. */
sfew_status sfew_cascade_parse(const char *text, size_t len, const char *name,
                               sfew_cascade **out, sfew_err *err);

/* Reads and parses the file at path (SFEW_EIO when it is missing or unreadable). */
sfew_status sfew_cascade_load(const char *path, sfew_cascade **out, sfew_err *err);

void sfew_cascade_free(sfew_cascade *c);

/* The training window (width, height) and the feature kind. */
void sfew_cascade_window(const sfew_cascade *c, int *w, int *h);
sfew_cascade_kind sfew_cascade_kind_of(const sfew_cascade *c);
int sfew_cascade_nstages(const sfew_cascade *c);

/* How Haar windows are scanned on this CPU: "avx2 (8 windows a vector)" or "scalar"
 * (LBP is always scalar). SFEW_ISA=generic forces the scalar scan. */
const char *sfew_detect_haar_scan_name(void);

/* Detects objects in an 8-bit gray image (h rows of w bytes, row stride w). Writes a new
 * array of *n boxes into *boxes (caller frees with free(); NULL when *n is 0), in a fixed
 * order that does not depend on o->threads. An empty image or one smaller than the window
 * gives no boxes. SFEW_EINVAL for bad options, SFEW_ENOMEM when memory runs out. */
sfew_status sfew_cascade_detect(const sfew_cascade *c, const uint8_t *gray, int w, int h,
                                const sfew_detect_opts *o, sfew_box **boxes, int *n,
                                sfew_err *err);

/* OpenCV's groupRectangles on n raw boxes: clusters of similar boxes (eps, 0.2 in
 * detection) are averaged; clusters of min_neighbors boxes or fewer are dropped, as are
 * small ones lying inside a larger, better-supported one. Writes *nout boxes into a new
 * array *out (caller frees; NULL when *nout is 0) with neighbors = the cluster size. With
 * min_neighbors <= 0 the boxes are copied with neighbors = 1. */
sfew_status sfew_detect_group(const sfew_box *in, int n, int min_neighbors, double eps,
                              sfew_box **out, int *nout, sfew_err *err);

/* OpenCV's bit-exact bilinear resize (INTER_LINEAR_EXACT) of 8-bit gray (sw x sh) to
 * (dw x dh); both strides equal their widths. SFEW_EINVAL for an empty size. */
sfew_status sfew_detect_resize(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw,
                               int dh, sfew_err *err);

/* OpenCV 4.6's BGR2GRAY for 8-bit RGB values, in 15-bit fixed point:
 * (9798 R + 19235 G + 3735 B + 2^14) >> 15. */
static inline uint8_t sfew_detect_gray(int r, int g, int b)
{
    return (uint8_t)((r * 9798 + g * 19235 + b * 3735 + (1 << 14)) >> 15);
}

#endif
