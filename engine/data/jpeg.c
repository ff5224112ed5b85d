/* JPEG decoding through libjpeg-turbo (see jpeg.h for why not stb_image). libjpeg reports
 * errors by calling error_exit, which must not return: ours longjmps back to the decoder
 * with the message, and warnings (corrupt data libjpeg would paper over) do the same. */
#include "jpeg.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include <jpeglib.h>

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf back;
    char msg[JMSG_LENGTH_MAX];
} jpeg_fail;

static void on_error(j_common_ptr cinfo)
{
    jpeg_fail *f = (jpeg_fail *)cinfo->err;
    f->pub.format_message(cinfo, f->msg);
    longjmp(f->back, 1);
}

/* msg_level -1 is a warning: corrupt data libjpeg would decode around. */
static void on_message(j_common_ptr cinfo, int msg_level)
{
    if (msg_level < 0)
        on_error(cinfo);
}

/* The engine never prints. */
static void on_output(j_common_ptr cinfo) { (void)cinfo; }

/* stb_image takes any run of 0xFF fill bytes before the SOI marker as a JPEG, so all of
 * those go here (libjpeg then refuses the fill bytes with a message). */
int sfew_jpeg_is(const unsigned char *buf, size_t len)
{
    size_t i = 0;
    while (i < len && buf[i] == 0xFF)
        i++;
    return i >= 1 && i < len && buf[i] == 0xD8;
}

sfew_status sfew_jpeg_decode(const unsigned char *buf, size_t len, const char *name,
                             int64_t limit, int gray, unsigned char **out, int *w, int *h,
                             int *want, sfew_err *err)
{
    struct jpeg_decompress_struct cinfo;
    jpeg_fail f;
    unsigned char *volatile px = NULL; /* volatile: read after the longjmp */
    cinfo.err = jpeg_std_error(&f.pub);
    f.pub.error_exit = on_error;
    f.pub.emit_message = on_message;
    f.pub.output_message = on_output;
    f.msg[0] = 0;
    if (len > (size_t)0xFFFFFFFFu)
        return sfew_fail(err, SFEW_EIO, "load_image: '%s' is too large for a JPEG", name);
    if (setjmp(f.back)) {
        jpeg_destroy_decompress(&cinfo);
        free(px);
        return sfew_fail(err, SFEW_EIO, "load_image: cannot decode '%s': truncated or corrupt "
                         "JPEG data (libjpeg: %s)", name, f.msg);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, buf, (unsigned long)len);
    jpeg_read_header(&cinfo, TRUE);
    int iw = (int)cinfo.image_width, ih = (int)cinfo.image_height;
    if (iw <= 0 || ih <= 0 || (int64_t)iw * ih > limit) {
        jpeg_destroy_decompress(&cinfo);
        return sfew_fail(err, SFEW_EIO, "load_image: '%s' is %dx%d, over the limit of %lld "
                         "pixels", name, iw, ih, (long long)limit);
    }
    int c = cinfo.num_components;
    if (c != 1 && c != 3) {
        jpeg_destroy_decompress(&cinfo);
        return sfew_fail(err, SFEW_EIO, "load_image: '%s' is a %d-component (CMYK?) JPEG; only "
                         "gray and colour JPEGs are read", name, c);
    }
    int k = (gray && c == 1) ? 1 : 3;
    cinfo.out_color_space = k == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&cinfo);
    px = malloc((size_t)iw * ih * k);
    if (!px) {
        jpeg_destroy_decompress(&cinfo);
        return sfew_fail(err, SFEW_ENOMEM, "load_image: no memory for '%s'", name);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = px + (size_t)cinfo.output_scanline * iw * k;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    *out = px;
    *w = iw;
    *h = ih;
    *want = k;
    return SFEW_OK;
}
