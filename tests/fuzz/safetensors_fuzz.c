/* libFuzzer target: safetensors bytes -> sfew_safetensors_load, with a 1 MiB tensor limit
 * so a header may not make a run slow by asking for a legal but large tensor. */
#include <stdint.h>
#include <stdlib.h>

#include "../../engine/io/safetensors.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file("st", data, size);
    sfew_safetensors *st = NULL;
    sfew_err err;
    if (sfew_safetensors_load(path, 1 << 20, &st, &err) == SFEW_OK)
        sfew_safetensors_free(st);
    return 0;
}
