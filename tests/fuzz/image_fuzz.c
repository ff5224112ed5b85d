/* libFuzzer target: image bytes -> decode from memory -> gray -> resize (the loader path of
 * data.load_image and image_folder), once at the file's size and once to 9x7 RGB. */
#include <stdint.h>
#include <stdlib.h>

#include "../../engine/data/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A small pixel cap keeps each run fast; the cap itself is what is being tested. */
    sfew_image_opts gray = {0, 0, 1, 1 << 16};
    sfew_image_opts rgb = {9, 7, 0, 1 << 16};
    sfew_tensor *t = NULL;
    sfew_err err;
    if (sfew_image_decode_memory(data, size, "fuzz", &gray, &t, &err) == SFEW_OK)
        sfew_tensor_free(t);
    t = NULL;
    if (sfew_image_decode_memory(data, size, "fuzz", &rgb, &t, &err) == SFEW_OK)
        sfew_tensor_free(t);
    return 0;
}
