/* A pre-check of PNG files before stb_image decodes them. stb_image trusts two things a
 * hostile file controls: an IDAT chunk's length (it grows its buffer to the claimed size
 * before reading, so 28 bytes can ask for 2 GiB), and the size the compressed stream
 * inflates to (a deflate bomb inflates fully). Both are checked here with zlib, counting
 * the inflated bytes in a small scratch buffer. */
#include "image.h"

#include <string.h>
#include <zlib.h>

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The bytes the filtered scanlines of an IHDR take, with room for Adam7 interlacing
 * (seven passes, each row with its own filter byte and partial bytes). */
static int64_t raw_size(const unsigned char *ihdr)
{
    static const int channels[7] = {1, 0, 3, 1, 2, 0, 4};
    int64_t w = be32(ihdr), h = be32(ihdr + 4);
    int depth = ihdr[8], type = ihdr[9] < 7 ? ihdr[9] : 1;
    int64_t row = (w * (channels[type] ? channels[type] : 4) * depth + 7) / 8 + 1;
    /* w, h < 2^32 and depth < 256 keep row under 2^43; the product could still overflow */
    if (h > (INT64_MAX / 4) / row)
        return INT64_MAX;
    return 2 * h * row + 7 * (h + 8) * 2 + 1024;
}

sfew_status sfew_image_png_check(const unsigned char *buf, size_t len, const char *name,
                                 sfew_err *err)
{
    if (len < 8 || memcmp(buf, "\x89PNG\r\n\x1a\n", 8) != 0)
        return SFEW_OK; /* not a PNG: nothing to check */
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK)
        return sfew_fail(err, SFEW_ENOMEM, "load_image: no memory to check '%s'", name);
    unsigned char scratch[16384];
    int64_t limit = -1, total = 0;
    int done = 0;
    sfew_status st = SFEW_OK;
    for (size_t at = 8; at < len && !st; ) {
        if (len - at < 12) {
            st = sfew_fail(err, SFEW_EIO, "load_image: cannot decode '%s': truncated or corrupt "
                           "PNG data (a chunk header ends early)", name);
            break;
        }
        uint32_t n = be32(buf + at);
        const unsigned char *type = buf + at + 4, *data = buf + at + 8;
        if (n > len - at - 12) {
            st = sfew_fail(err, SFEW_EIO, "load_image: cannot decode '%s': truncated or corrupt "
                           "PNG data (chunk '%.4s' claims %lu bytes, %lu remain)", name,
                           (const char *)type, (unsigned long)n, (unsigned long)(len - at - 12));
            break;
        }
        if (memcmp(type, "IHDR", 4) == 0 && n >= 13)
            limit = raw_size(data);
        else if (memcmp(type, "IEND", 4) == 0)
            break;
        else if (memcmp(type, "IDAT", 4) == 0 && limit >= 0 && !done) {
            z.next_in = (unsigned char *)data;
            z.avail_in = n;
            while (z.avail_in > 0 && !done) {
                z.next_out = scratch;
                z.avail_out = sizeof scratch;
                int rc = inflate(&z, Z_NO_FLUSH);
                total += (int64_t)(sizeof scratch - z.avail_out);
                if (total > limit) {
                    st = sfew_fail(err, SFEW_EIO, "load_image: cannot decode '%s': corrupt PNG "
                                   "data (inflates past the %lld bytes its header allows)",
                                   name, (long long)limit);
                    break;
                }
                /* Other stream errors are left to stb_image, which judges them itself. */
                done = rc != Z_OK;
            }
        }
        at += 12 + (size_t)n;
    }
    inflateEnd(&z);
    return st;
}
