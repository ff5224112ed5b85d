/* The engine's JSON encoder over parsed trees: compact text, members in order, integers
 * as integers, floats at round-trip precision, strings re-escaped; NaN refused. Built and
 * run by `make test`; exits non-zero on the first mismatch. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfew.h"

static int check(const char *in, const char *want)
{
    sfew_json *v = NULL;
    char *out = NULL;
    size_t len = 0;
    sfew_err err = {{0}};
    sfew_status st = sfew_json_parse(in, strlen(in), &v, &err)
                     || sfew_json_encode(v, &out, &len, &err);
    int ok = !st && len == strlen(want) && memcmp(out, want, len) == 0;
    if (!ok)
        fprintf(stderr, "json: %s -> %s (want %s) %s\n", in, out ? out : "(none)", want,
                err.msg);
    sfew_json_free(v);
    free(out);
    return ok;
}

int main(void)
{
    int ok = check(" {\"b\" : [1, -2.5e2, 0.1, 3.0], \"a\": {}} ",
                   "{\"b\":[1,-250.0,0.1,3.0],\"a\":{}}");
    ok &= check("[\"q\\\"\\n\\u0001\\u00e9\\/\", true, false, null, []]",
                "[\"q\\\"\\n\\u0001\xc3\xa9/\",true,false,null,[]]");
    ok &= check("{\"a\\u0000b\": 9223372036854775807}", "{\"a\\u0000b\":9223372036854775807}");
    ok &= check("[99999999999999999999, -0]", "[1e+20,0]");
    const double bad[2] = {NAN, INFINITY};
    for (int i = 0; i < 2; i++) {
        sfew_json v = {.type = SFEW_JSON_NUMBER, .number = bad[i]};
        char *out = NULL;
        size_t len;
        sfew_err err;
        if (sfew_json_encode(&v, &out, &len, &err) != SFEW_EINVAL || !strstr(err.msg, "NaN")) {
            fprintf(stderr, "json: %g was not refused\n", bad[i]);
            ok = 0;
        }
        free(out);
    }
    return !ok;
}
