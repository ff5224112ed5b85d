/* Status codes and the one-line error messages that travel with them. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>

sfew_status sfew_fail(sfew_err *err, sfew_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

const char *sfew_status_str(sfew_status code)
{
    switch (code) {
    case SFEW_OK: return "ok";
    case SFEW_EINVAL: return "invalid argument";
    case SFEW_ESHAPE: return "shape mismatch";
    case SFEW_ENOMEM: return "out of memory";
    case SFEW_EIO: return "input/output error";
    }
    return "unknown status";
}
