/* IDX reader over zlib: gzread also reads files that are not compressed. */
#include "idx.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "files.h"

static sfew_status read_exact(gzFile f, void *buf, unsigned len, const char *path, const char *what,
                              sfew_err *err)
{
    int got = gzread(f, buf, len);
    if (got < 0 || (unsigned)got != len)
        return sfew_fail(err, SFEW_EIO, "read_idx: '%s' is too short: %s ends early", path, what);
    return SFEW_OK;
}

/* Reads numel bytes in growing steps, so a header that claims more than the file holds is
 * found short after allocating about what the file has, never what the header claims. */
static sfew_status read_body(gzFile f, int64_t numel, const char *path, unsigned char **out,
                             sfew_err *err)
{
    int64_t cap = 0, have = 0;
    unsigned char *buf = NULL;
    while (have < numel) {
        if (have == cap) {
            cap = cap ? (cap * 2 < numel ? cap * 2 : numel) : (numel < (1 << 20) ? numel : 1 << 20);
            unsigned char *more = realloc(buf, (size_t)cap);
            if (!more) {
                free(buf);
                return sfew_fail(err, SFEW_ENOMEM, "read_idx: no memory for '%s'", path);
            }
            buf = more;
        }
        sfew_status st = read_exact(f, buf + have, (unsigned)(cap - have), path, "the data", err);
        if (st) {
            free(buf);
            return st;
        }
        have = cap;
    }
    *out = buf;
    return SFEW_OK;
}

sfew_status sfew_idx_read(const char *path, int ndim, float scale, sfew_tensor **out,
                          sfew_err *err)
{
    if (ndim < 1 || ndim > 4)
        return sfew_fail(err, SFEW_EINVAL, "read_idx: bad dimension count %d", ndim);
    int fd = -1;
    sfew_status opened = sfew_file_open_fd(path, "read_idx", &fd, NULL, err);
    if (opened)
        return opened;
    gzFile f = gzdopen(fd, "rb");
    if (!f) {
        close(fd);
        return sfew_fail(err, SFEW_EIO, "read_idx: cannot open '%s'", path);
    }
    sfew_tensor *t = NULL;
    unsigned char *bytes = NULL, head[4], dims[16];
    int64_t shape[4];
    sfew_status st = read_exact(f, head, 4, path, "the magic number", err);
    if (st)
        goto fail;
    if (head[0] != 0 || head[1] != 0 || head[2] != 0x08 || head[3] != ndim) {
        st = sfew_fail(err, SFEW_EIO, "read_idx: '%s' has magic number %02x%02x%02x%02x, want "
                       "000008%02x (unsigned bytes, %d dimensions)", path, head[0], head[1],
                       head[2], head[3], ndim, ndim);
        goto fail;
    }
    st = read_exact(f, dims, 4u * (unsigned)ndim, path, "the header", err);
    if (st)
        goto fail;
    for (int d = 0; d < ndim; d++) {
        const unsigned char *b = dims + 4 * d;
        shape[d] = ((int64_t)b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
    }
    int64_t numel = 1;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] <= 0 || shape[d] > SFEW_IDX_MAX_ELEMS
            || numel * shape[d] > SFEW_IDX_MAX_ELEMS) {
            st = sfew_fail(err, SFEW_EIO, "read_idx: '%s' has bad size %lld in dimension %d "
                           "(zero, or over the limit of 2^31 bytes in all)", path,
                           (long long)shape[d], d + 1);
            goto fail;
        }
        numel *= shape[d];
    }
    st = read_body(f, numel, path, &bytes, err);
    if (st)
        goto fail;
    st = sfew_tensor_new(ndim, shape, &t, err);
    if (st)
        goto fail;
    for (int64_t i = 0; i < numel; i++)
        t->data[i] = bytes[i] * scale;
    *out = t;
    t = NULL;
fail:
    free(bytes);
    sfew_tensor_free(t);
    gzclose(f);
    return st;
}
