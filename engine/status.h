/* Error reporting for the engine: status codes plus a one-line message.
 * The engine never prints or exits; callers turn these into Lua errors. */
#ifndef SFEW_STATUS_H
#define SFEW_STATUS_H

typedef enum {
    SFEW_OK = 0,
    SFEW_EINVAL, /* a bad argument value */
    SFEW_ESHAPE, /* shapes that do not fit together */
    SFEW_ENOMEM, /* an allocation failed or would exceed a limit */
    SFEW_EIO     /* a file could not be read, written or decoded */
} sfew_status;

#define SFEW_ERR_MSG 512

typedef struct sfew_err {
    char msg[SFEW_ERR_MSG];
} sfew_err;

/* Writes the printf-style message into err (may be NULL) and returns code. */
sfew_status sfew_fail(sfew_err *err, sfew_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A static name for a code: "ok", "invalid argument", ... */
const char *sfew_status_str(sfew_status code);

#endif
