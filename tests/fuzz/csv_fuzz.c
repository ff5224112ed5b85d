/* libFuzzer target: CSV text -> sfew_csv_parse -> a table with a header, a name column
 * first and a label column last (the layout data.read_csv reads), then with na_drop. */
#include <stdint.h>
#include <stdlib.h>

#include "../../engine/data/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sfew_csv *c = NULL;
    sfew_err err;
    if (sfew_csv_parse((const char *)data, size, "fuzz.csv", &c, &err) != SFEW_OK)
        return 0;
    int ncols = c->nrec > 0 ? sfew_csv_nfield(c, 0) : 0;
    if (ncols >= 2 && ncols <= 4096) {
        char drop[4096] = {1};
        for (int na = 0; na <= 1; na++) {
            sfew_csv_spec s = {"fuzz.csv", 1, ncols - 1, 7, drop, ncols, na};
            sfew_csv_table *t = NULL;
            if (sfew_csv_table_build(c, &s, &t, &err) == SFEW_OK)
                sfew_csv_table_free(t);
        }
    }
    sfew_csv_free(c);
    return 0;
}
