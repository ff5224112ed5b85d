/* The project's one JSON: a small strict parser (RFC 8259) into a tree of values, bounded
 * depth, no trailing commas, no leading zeros, no control characters in strings (json.c);
 * and the encoder beside it (json_write.c): compact text, floats at round-trip precision.
 * Both serve the safetensors header and, through sfew.json, every JSON text in Lua. */
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
    char *key;      /* set when this value is a member of an object (NUL-terminated) */
    size_t keylen;  /* the key's length in bytes (a key may hold "\u0000") */
    sfew_json *child; /* ARRAY/OBJECT: first element or member */
    sfew_json *next;  /* the following sibling */
    size_t count;     /* ARRAY/OBJECT: how many children */
};

/* Parses len bytes of text into a tree; the caller owns *out and frees it with
 * sfew_json_free. SFEW_EINVAL with the byte position on malformed text, SFEW_ENOMEM. */
sfew_status sfew_json_parse(const char *text, size_t len, sfew_json **out, sfew_err *err);
/* Frees a tree; NULL does nothing. */
void sfew_json_free(sfew_json *v);

#define SFEW_JSON_NUMBER_MAX 32 /* room sfew_json_number and _integer need, NUL included */

/* Writes i in decimal into out (SFEW_JSON_NUMBER_MAX bytes); returns the length. */
size_t sfew_json_integer(int64_t i, char *out);
/* Writes x into out (SFEW_JSON_NUMBER_MAX bytes) with the fewest of 14..17 significant
 * digits that read back as the same double, adding ".0" when the text would read as an
 * integer (so a float stays a float). Returns the length, or 0 for NaN and infinities,
 * which JSON cannot spell. */
size_t sfew_json_number(double x, char *out);
/* Writes s (len bytes) as a quoted JSON string into out, which must hold 6 * len + 2
 * bytes; returns the length (no NUL is added). '"', '\' and the control bytes 0-31 and
 * 127 are escaped; other bytes (UTF-8 included) are copied as they are. */
size_t sfew_json_quote(const char *s, size_t len, char *out);
/* Encodes a tree as compact JSON (members in tree order, a member's key quoted, numbers
 * with is_int written as integers). The caller owns *out (NUL-terminated; *len excludes
 * the NUL) and frees it with free(). SFEW_EINVAL for NaN or an infinity, SFEW_ENOMEM. */
sfew_status sfew_json_encode(const sfew_json *v, char **out, size_t *len, sfew_err *err);

#endif
