/* Inside the safetensors reader: little-endian bytes and the dtype conversion. */
#ifndef SFEW_IO_SAFETENSORS_DTYPE_H
#define SFEW_IO_SAFETENSORS_DTYPE_H

#include <stdint.h>

/* The unsigned value of n (1..8) little-endian bytes at p. */
static inline uint64_t sfew_le_bytes(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* Converts n raw values of dtype ("F64", "F32", "F16", "BF16", "I64", "I32"; dsize bytes
 * each) into out. */
void sfew_safetensors_convert(const char *dtype, int dsize, int64_t n,
                              const unsigned char *raw, float *out);

#endif
