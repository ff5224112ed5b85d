/* File-system helpers for data sets: sorted directory listings and directory creation. */
#ifndef SFEW_DATA_FILES_H
#define SFEW_DATA_FILES_H

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

#endif
