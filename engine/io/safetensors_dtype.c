/* The dtypes a safetensors file may hold, turned into float32: IEEE half and double,
 * bfloat16, 32- and 64-bit integers, all little-endian whatever the host's order. */
#include "safetensors_dtype.h"

#include <string.h>

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, ex = (h >> 10) & 0x1F, man = h & 0x3FF, bits;
    if (ex == 0x1F) {
        bits = sign | 0x7F800000u | (man << 13);
    } else if (ex == 0) {
        float f = (float)man / 16777216.0f; /* subnormal: man * 2^-24 */
        return sign ? -f : f;
    } else {
        bits = sign | ((ex + 112) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

void sfew_safetensors_convert(const char *dtype, int dsize, int64_t n,
                              const unsigned char *raw, float *out)
{
    for (int64_t i = 0; i < n; i++) {
        const unsigned char *p = raw + i * dsize;
        uint64_t v = sfew_le_bytes(p, dsize);
        uint32_t u32 = (uint32_t)v;
        double d;
        if (dtype[0] == 'I') {
            out[i] = dsize == 8 ? (float)(int64_t)v : (float)(int32_t)u32;
            continue;
        }
        switch (dsize) {
        case 8: memcpy(&d, &v, 8); out[i] = (float)d; break;
        case 4: memcpy(&out[i], &u32, 4); break;
        default:
            if (dtype[0] == 'B') {
                u32 <<= 16;
                memcpy(&out[i], &u32, 4);
            } else {
                out[i] = half_to_float((uint16_t)v);
            }
        }
    }
}

