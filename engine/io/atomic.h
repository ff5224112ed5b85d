/* The engine's one way to write a file: to a unique temporary name beside the target
 * ("<path>.tmp-<pid>", or "<path>.tmp-<pid>-<k>" when that is taken), synced, then
 * renamed over the target, so a reader sees the old file or the new one, never half of
 * one. Only a regular file (or nothing) is replaced: a character device or a FIFO
 * ("/dev/null", a pipe) is written straight to, a FIFO without a reader is refused at
 * once, and a directory, block device or socket is an error. Temporaries left by writers
 * that were killed (their pid no longer runs) are removed on the next write to the same
 * target. Errors are SFEW_EIO with a message naming the path, SFEW_ENOMEM. */
#ifndef SFEW_IO_ATOMIC_H
#define SFEW_IO_ATOMIC_H

#include <stddef.h>
#include <stdio.h>

#include "../status.h"

typedef struct sfew_atomic {
    FILE *f;    /* write here */
    char *path; /* the target (a copy) */
    char *tmp;  /* the temporary name; NULL when writing straight to a device or FIFO */
    int nosync; /* set after open to skip the fsync (still renamed whole) */
} sfew_atomic;

/* Opens a write to path (a temporary name, or the device itself). On success the caller
 * writes to a->f and must call sfew_atomic_close; on failure nothing is left open. */
sfew_status sfew_atomic_open(sfew_atomic *a, const char *path, sfew_err *err);
/* Finishes the write: when ok, flushes, syncs and renames the temporary over the target
 * (then syncs the folder); when !ok, or if any of that fails, removes the temporary and
 * leaves the target as it was. Releases everything either way. */
sfew_status sfew_atomic_close(sfew_atomic *a, int ok, sfew_err *err);
/* Writes len bytes to path through open and close. */
sfew_status sfew_atomic_write(const char *path, const void *data, size_t len, sfew_err *err);

/* For writers that need a name rather than a stream (another program, a whole folder):
 * reserves a unique temporary name beside path by creating it, an empty file or (dir)
 * an empty directory, after removing stale temporaries of path. The caller owns *out
 * (free) and finishes with sfew_atomic_rename, or removes the temporary itself. */
sfew_status sfew_atomic_temp(const char *path, int dir, char **out, sfew_err *err);
/* Renames tmp over path and syncs the folder. A device or FIFO at path gets tmp's bytes
 * written straight to it (tmp is then removed); a directory at path is an error unless
 * tmp is a directory too and path is empty (rename's own rule). */
sfew_status sfew_atomic_rename(const char *tmp, const char *path, sfew_err *err);
/* Whether path may be written at all: SFEW_OK for a regular file, a missing name, a
 * character device or a FIFO (*direct = 1 for the last two); SFEW_EIO naming the kind
 * otherwise. direct may be NULL. */
sfew_status sfew_atomic_check(const char *path, int *direct, sfew_err *err);

#endif
