/* A small XML reader for OpenCV's FileStorage files: elements, text, comments and
 * declarations; attributes are skipped. Internal to engine/detect. */
#ifndef SFEW_DETECT_XML_H
#define SFEW_DETECT_XML_H

#include <stddef.h>

#include "../status.h"

typedef struct xml_node {
    const char *name; /* not NUL-terminated: nlen bytes */
    int nlen;
    const char *text; /* the text of an element without child elements (tlen bytes) */
    size_t tlen;
    int first, next, last; /* children and siblings by index; -1 = none */
} xml_node;

typedef struct xml_doc {
    char *buf; /* a NUL-terminated copy of the text */
    xml_node *nodes;
    int n, cap;
} xml_doc;

/* Parses text into doc (node 0 is the root element). SFEW_EIO naming name when the text
 * is not XML or is truncated; SFEW_ENOMEM. Free with xml_free. */
sfew_status xml_parse(const char *text, size_t len, const char *name, xml_doc *doc,
                      sfew_err *err);
void xml_free(xml_doc *doc);

/* The first child of node i named key, or -1. */
int xml_child(const xml_doc *d, int i, const char *key);
/* Number of child elements of node i. */
int xml_count(const xml_doc *d, int i);

#endif
