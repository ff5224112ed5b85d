/* libFuzzer target: IDX bytes (plain or gzipped: zlib reads both) -> sfew_idx_read with
 * one and with three dimensions (labels and images). */
#include <stdint.h>
#include <stdlib.h>

#include "../../engine/data/idx.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file("idx", data, size);
    for (int ndim = 1; ndim <= 3; ndim += 2) {
        sfew_tensor *t = NULL;
        sfew_err err;
        if (sfew_idx_read(path, ndim, 1.0f / 255, &t, &err) == SFEW_OK)
            sfew_tensor_free(t);
    }
    return 0;
}
