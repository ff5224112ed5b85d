/* File-system helpers: sorted directory listings, directory creation, and the one way
 * every reader (images, CSV, IDX, safetensors) opens a file. */
#ifndef SFEW_DATA_FILES_H
#define SFEW_DATA_FILES_H

#include <stdint.h>
#include <stdio.h>

#include "../status.h"

typedef struct sfew_dir_list {
    int n;
    char **names; /* sorted by strcmp, without "." and ".." */
    char *is_dir; /* 1 for a directory (symlinks followed) */
} sfew_dir_list;

/* Lists path into a new list the caller frees with sfew_dir_list_free. SFEW_EIO if the
 * folder cannot be opened. */
sfew_status sfew_dir_list_read(const char *path, sfew_dir_list **out, sfew_err *err);
void sfew_dir_list_free(sfew_dir_list *l);

/* Creates path and its missing parents (mode 0777 before umask); existing is fine. */
sfew_status sfew_mkdir_p(const char *path, sfew_err *err);

/* Opens path for reading only if it is a regular file (symlinks followed). It is opened
 * with O_NONBLOCK and checked with fstat, so a FIFO can never block the reader and the
 * check is about the file actually read. On success the caller owns *out (fclose) and
 * *size (may be NULL) is its length. SFEW_EIO naming who and path otherwise:
 * "who: cannot open 'path': <reason>", "who: 'path' is a directory", "... is a FIFO, not
 * a regular file" (also character and block devices, sockets). */
sfew_status sfew_file_open(const char *path, const char *who, FILE **out, int64_t *size,
                           sfew_err *err);
/* The same as a descriptor (for zlib's gzdopen); the caller closes *fd. */
sfew_status sfew_file_open_fd(const char *path, const char *who, int *fd, int64_t *size,
                              sfew_err *err);

#endif
