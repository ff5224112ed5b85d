/* Image decoding, luma, resizing and PNG writing over stb_image, stb_image_resize and
 * stb_image_write (their implementations come from Debian's libstb); JPEG files are
 * decoded by libjpeg-turbo (jpeg.c). */
#include "image.h"

#include "files.h"
#include "jpeg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>
#include <stb_image_resize.h>
#include <stb_image_write.h>

void sfew_image_luma(const float *rgb, int64_t n, float *gray)
{
    for (int64_t i = 0; i < n; i++)
        gray[i] = 0.299f * rgb[3 * i] + 0.587f * rgb[3 * i + 1] + 0.114f * rgb[3 * i + 2];
}

sfew_status sfew_image_resize(const float *in, int w, int h, int c, float *out, int ow, int oh,
                              sfew_err *err)
{
    if (w <= 0 || h <= 0 || ow <= 0 || oh <= 0 || c <= 0)
        return sfew_fail(err, SFEW_EINVAL, "image_resize: bad sizes %dx%d -> %dx%d", w, h, ow, oh);
    if (w == ow && h == oh) {
        memcpy(out, in, sizeof(float) * (size_t)w * h * c);
        return SFEW_OK;
    }
    /* The box filter averages the source area under each output pixel when shrinking. */
    if (!stbir_resize_float_generic(in, w, h, 0, out, ow, oh, 0, c, STBIR_ALPHA_CHANNEL_NONE, 0,
                                    STBIR_EDGE_CLAMP, STBIR_FILTER_BOX, STBIR_COLORSPACE_LINEAR,
                                    NULL))
        return sfew_fail(err, SFEW_ENOMEM, "image_resize: stb_image_resize failed");
    return SFEW_OK;
}

/* Reads the whole file (bounded by SFEW_IMAGE_MAX_BYTES); the caller frees *buf. */
static sfew_status read_file(const char *path, unsigned char **buf, size_t *len, sfew_err *err)
{
    FILE *f = NULL;
    sfew_status opened = sfew_file_open(path, "load_image", &f, NULL, err);
    if (opened)
        return opened;
    sfew_status st = SFEW_OK;
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        st = sfew_fail(err, SFEW_EIO, "load_image: cannot read '%s'", path);
        goto done;
    }
    if (size == 0 || size > SFEW_IMAGE_MAX_BYTES) {
        st = sfew_fail(err, SFEW_EIO, "load_image: '%s' is %s (%ld bytes)", path,
                       size ? "over the file size limit" : "empty", size);
        goto done;
    }
    *buf = malloc((size_t)size);
    if (!*buf) {
        st = sfew_fail(err, SFEW_ENOMEM, "load_image: no memory for '%s'", path);
        goto done;
    }
    if (fread(*buf, 1, (size_t)size, f) != (size_t)size) {
        free(*buf);
        *buf = NULL;
        st = sfew_fail(err, SFEW_EIO, "load_image: cannot read '%s'", path);
        goto done;
    }
    *len = (size_t)size;
done:
    fclose(f);
    return st;
}

/* The format the first bytes announce, for messages: stb's own failure text may be left
 * over from probing another format. */
static const char *format_name(const unsigned char *b, size_t len)
{
    if (len >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "PNG";
    if (len >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
        return "JPEG";
    return "image";
}

/* Decodes a non-JPEG file with stb_image into interleaved bytes (h, w, *want); the pixel
 * limit is checked on the header alone, before stb allocates anything. */
static sfew_status stb_decode(const unsigned char *buf, size_t len, const char *name,
                              const sfew_image_opts *o, int64_t limit, unsigned char **img,
                              int *w, int *h, int *want, sfew_err *err)
{
    int comp = 0;
    if (len > INT32_MAX || !stbi_info_from_memory(buf, (int)len, w, h, &comp))
        return sfew_fail(err, SFEW_EIO, "load_image: '%s' is not a readable image: no known "
                         "format, or a corrupt or absurd %s header (stb_image: %s)", name,
                         format_name(buf, len), stbi_failure_reason());
    /* stb_image's BMP header reader reports a top-down BMP (stored first row first) with
     * its negative height; the decoder handles such files. */
    if (*h < 0 && *h > INT32_MIN && len >= 2 && buf[0] == 'B' && buf[1] == 'M')
        *h = -*h;
    if (*w <= 0 || *h <= 0)
        return sfew_fail(err, SFEW_EIO, "load_image: '%s' has a bad size (%dx%d)", name, *w, *h);
    if ((int64_t)*w * *h > limit)
        return sfew_fail(err, SFEW_EIO, "load_image: '%s' is %dx%d, over the limit of %lld pixels",
                         name, *w, *h, (long long)limit);
    sfew_status chk = sfew_image_png_check(buf, len, name, err);
    if (chk)
        return chk;
    /* A gray file read as gray keeps its exact values; anything else goes through RGB. */
    *want = (o->gray && comp <= 2) ? 1 : 3;
    int got = 0;
    *img = stbi_load_from_memory(buf, (int)len, w, h, &got, *want);
    if (!*img)
        return sfew_fail(err, SFEW_EIO, "load_image: cannot decode '%s': truncated or corrupt %s "
                         "data (stb_image: %s)", name, format_name(buf, len), stbi_failure_reason());
    return SFEW_OK;
}

/* Decodes len bytes (named name in messages) into interleaved floats (h, w, c) with c = 1
 * (luma) or 3; the caller frees *px. JPEG goes to libjpeg (jpeg.h), the rest to stb_image. */
static sfew_status decode_buf(const unsigned char *buf, size_t len, const char *name,
                              const sfew_image_opts *o, float **px, int *w, int *h, sfew_err *err)
{
    unsigned char *img = NULL;
    float *rgb = NULL;
    sfew_status st = SFEW_OK;
    int want = 3, jpeg = sfew_jpeg_is(buf, len);
    int64_t limit = o->max_pixels > 0 ? o->max_pixels : SFEW_IMAGE_MAX_PIXELS;
    if (len == 0)
        return sfew_fail(err, SFEW_EIO, "load_image: '%s' is empty", name);
    if (jpeg) {
        st = sfew_jpeg_decode(buf, len, name, limit, o->gray, &img, w, h, &want, err);
        if (st)
            return st;
    } else {
        st = stb_decode(buf, len, name, o, limit, &img, w, h, &want, err);
        if (st)
            return st;
    }
    int64_t n = (int64_t)*w * *h;
    rgb = malloc(sizeof(float) * (size_t)(n * want));
    if (!rgb) {
        st = sfew_fail(err, SFEW_ENOMEM, "load_image: no memory for '%s'", name);
        goto fail;
    }
    for (int64_t i = 0; i < n * want; i++)
        rgb[i] = img[i] / 255.0f;
    if (o->gray && want == 3)
        sfew_image_luma(rgb, n, rgb); /* in place: gray[i] is written after rgb[3i..] is read */
    *px = rgb;
    rgb = NULL;
fail:
    free(rgb);
    if (jpeg)
        free(img);
    else
        stbi_image_free(img);
    return st;
}

/* Resizes interleaved px (h, w, c) to the requested size into out (C, oh, ow), clamped. */
static sfew_status fit_into(const float *px, int w, int h, const sfew_image_opts *o,
                            const char *name, float *out, sfew_err *err)
{
    int c = o->gray ? 1 : 3, ow = o->width, oh = o->height;
    float *small = malloc(sizeof(float) * (size_t)ow * oh * c); /* (oh, ow, c) */
    if (!small)
        return sfew_fail(err, SFEW_ENOMEM, "load_image: no memory for '%s'", name);
    sfew_status st = sfew_image_resize(px, w, h, c, small, ow, oh, err);
    if (!st)
        for (int ch = 0; ch < c; ch++) /* HWC -> CHW, clamped: the filter may overshoot a hair */
            for (int64_t i = 0; i < (int64_t)ow * oh; i++) {
                float v = small[i * c + ch];
                out[ch * (int64_t)ow * oh + i] = v < 0 ? 0 : v > 1 ? 1 : v;
            }
    free(small);
    return st;
}

sfew_status sfew_image_decode_memory(const unsigned char *buf, size_t len, const char *name,
                                     const sfew_image_opts *o, sfew_tensor **out, sfew_err *err)
{
    if (o->width < 0 || o->height < 0 || o->width > 65535 || o->height > 65535)
        return sfew_fail(err, SFEW_EINVAL, "load_image: bad size %dx%d", o->width, o->height);
    sfew_image_opts oo = *o;
    float *px = NULL;
    int w = 0, h = 0;
    sfew_tensor *t = NULL;
    sfew_status st = decode_buf(buf, len, name, o, &px, &w, &h, err);
    if (st)
        return st;
    /* Keep the image's size, or its aspect when only one side is given. */
    if (oo.width == 0 && oo.height == 0) {
        oo.width = w;
        oo.height = h;
    } else if (oo.width == 0) {
        oo.width = (int)((int64_t)w * oo.height / h > 0 ? (int64_t)w * oo.height / h : 1);
    } else if (oo.height == 0) {
        oo.height = (int)((int64_t)h * oo.width / w > 0 ? (int64_t)h * oo.width / w : 1);
    }
    int64_t limit = o->max_pixels > 0 ? o->max_pixels : SFEW_IMAGE_MAX_PIXELS;
    if (oo.width > 65535 || oo.height > 65535 || (int64_t)oo.width * oo.height > limit) {
        free(px);
        return sfew_fail(err, SFEW_EIO, "load_image: '%s' would be %dx%d, over the limit of "
                         "%lld pixels", name, oo.width, oo.height, (long long)limit);
    }
    st = sfew_tensor_new4(3, oo.gray ? 1 : 3, oo.height, oo.width, 0, &t, err);
    if (!st)
        st = fit_into(px, w, h, &oo, name, t->data, err);
    free(px);
    if (st) {
        sfew_tensor_free(t);
        return st;
    }
    *out = t;
    return SFEW_OK;
}

/* Reads and decodes the file at path; the caller frees *px. */
static sfew_status decode(const char *path, const sfew_image_opts *o, float **px, int *w,
                          int *h, sfew_err *err)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    sfew_status st = read_file(path, &buf, &len, err);
    if (st)
        return st;
    st = decode_buf(buf, len, path, o, px, w, h, err);
    free(buf);
    return st;
}

sfew_status sfew_image_load_into(const char *path, const sfew_image_opts *o, float *out,
                                 sfew_err *err)
{
    float *px = NULL;
    int w = 0, h = 0;
    sfew_status st = decode(path, o, &px, &w, &h, err);
    if (st)
        return st;
    st = fit_into(px, w, h, o, path, out, err);
    free(px);
    return st;
}

sfew_status sfew_image_load(const char *path, const sfew_image_opts *o, sfew_tensor **out,
                            sfew_err *err)
{
    if (o->width < 0 || o->height < 0 || o->width > 65535 || o->height > 65535)
        return sfew_fail(err, SFEW_EINVAL, "load_image: bad size %dx%d", o->width, o->height);
    unsigned char *buf = NULL;
    size_t len = 0;
    sfew_status st = read_file(path, &buf, &len, err);
    if (st)
        return st;
    st = sfew_image_decode_memory(buf, len, path, o, out, err);
    free(buf);
    return st;
}
