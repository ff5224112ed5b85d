/* libFuzzer target: bytes -> sfew_cascade_parse (the XML reader and every index check);
 * a cascade that parses is then run over a small textured image and its raw windows
 * grouped, so a bad index the reader let through would show up under ASan here. */
#include <stdint.h>
#include <stdlib.h>

#include "../../engine/detect/cascade.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sfew_cascade *c = NULL;
    sfew_err err;
    if (sfew_cascade_parse((const char *)data, size, "fuzz.xml", &c, &err) != SFEW_OK)
        return 0;
    uint8_t img[48 * 40];
    for (int i = 0; i < 48 * 40; i++)
        img[i] = (uint8_t)((i * 37) ^ (i >> 3));
    sfew_detect_opts o;
    sfew_detect_opts_default(&o);
    o.scale_factor = 1.5;
    o.min_neighbors = 1;
    sfew_box *b = NULL;
    int n = 0;
    if (sfew_cascade_detect(c, img, 48, 40, &o, &b, &n, &err) == SFEW_OK)
        free(b);
    sfew_cascade_free(c);
    return 0;
}
