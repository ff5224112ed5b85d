/* A small strict JSON parser (RFC 8259) for the safetensors header: a tree of values,
 * bounded depth, no trailing commas, no leading zeros, no control characters in strings. */
#ifndef SFEW_JSON_H
#define SFEW_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "../status.h"

typedef enum {
    SFEW_JSON_NULL,
    SFEW_JSON_BOOL,
    SFEW_JSON_NUMBER,
    SFEW_JSON_STRING,
    SFEW_JSON_ARRAY,
    SFEW_JSON_OBJECT
} sfew_json_type;

typedef struct sfew_json sfew_json;
struct sfew_json {
    sfew_json_type type;
    int boolean;
    double number;
    int is_int;     /* the number was written without fraction or exponent and fits int64 */
    int64_t integer;
    char *str;      /* STRING: the decoded UTF-8 text (NUL-terminated; len excludes it) */
    size_t len;
    char *key;      /* set when this value is a member of an object */
    sfew_json *child; /* ARRAY/OBJECT: first element or member */
    sfew_json *next;  /* the following sibling */
    size_t count;     /* ARRAY/OBJECT: how many children */
};

/* Parses len bytes of text into a tree; the caller owns *out and frees it with
 * sfew_json_free. SFEW_EINVAL with the byte position on malformed text, SFEW_ENOMEM. */
sfew_status sfew_json_parse(const char *text, size_t len, sfew_json **out, sfew_err *err);
/* Frees a tree; NULL does nothing. */
void sfew_json_free(sfew_json *v);

#endif
