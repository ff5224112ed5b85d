/* Directory listing (sorted, so data sets load in the same order everywhere), mkdir -p,
 * and opening regular files for the readers. */
#define _POSIX_C_SOURCE 200809L
#include "files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Folders with more entries than this are refused: no face set comes near it. */
#define MAX_ENTRIES (1 << 22)

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void sfew_dir_list_free(sfew_dir_list *l)
{
    if (!l)
        return;
    for (int i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    free(l->is_dir);
    free(l);
}

static int is_directory(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *p = malloc(len);
    struct stat st;
    int r = 0;
    if (p) {
        snprintf(p, len, "%s/%s", dir, name);
        r = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
        free(p);
    }
    return r;
}

sfew_status sfew_dir_list_read(const char *path, sfew_dir_list **out, sfew_err *err)
{
    DIR *d = opendir(path);
    if (!d)
        return sfew_fail(err, SFEW_EIO, "list_dir: cannot open folder '%s': %s", path,
                         strerror(errno));
    sfew_status st = SFEW_OK;
    sfew_dir_list *l = calloc(1, sizeof *l);
    int cap = 0;
    struct dirent *e;
    if (!l)
        goto nomem;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (l->n == cap) {
            if (cap >= MAX_ENTRIES) {
                st = sfew_fail(err, SFEW_EIO, "list_dir: '%s' has over %d entries", path, cap);
                goto fail;
            }
            int ncap = cap ? cap * 2 : 64;
            char **nn = realloc(l->names, sizeof *nn * (size_t)ncap);
            if (!nn)
                goto nomem;
            l->names = nn;
            cap = ncap;
        }
        l->names[l->n] = strdup(e->d_name);
        if (!l->names[l->n])
            goto nomem;
        l->n++;
    }
    if (l->n > 1)
        qsort(l->names, (size_t)l->n, sizeof *l->names, by_name);
    l->is_dir = calloc((size_t)l->n + 1, 1);
    if (!l->is_dir)
        goto nomem;
    for (int i = 0; i < l->n; i++)
        l->is_dir[i] = (char)is_directory(path, l->names[i]);
    closedir(d);
    *out = l;
    return SFEW_OK;
nomem:
    st = sfew_fail(err, SFEW_ENOMEM, "list_dir: no memory listing '%s'", path);
fail:
    closedir(d);
    sfew_dir_list_free(l);
    return st;
}

sfew_status sfew_mkdir_p(const char *path, sfew_err *err)
{
    size_t len = strlen(path);
    char *p = malloc(len + 1);
    if (!p)
        return sfew_fail(err, SFEW_ENOMEM, "mkdir: no memory");
    memcpy(p, path, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            sfew_status st = sfew_fail(err, SFEW_EIO, "mkdir: cannot create '%s': %s", p,
                                       strerror(errno));
            free(p);
            return st;
        }
        p[i] = c;
    }
    free(p);
    return SFEW_OK;
}

static const char *kind(mode_t m)
{
    return S_ISDIR(m)    ? "is a directory"
           : S_ISFIFO(m) ? "is a FIFO, not a regular file"
           : S_ISCHR(m)  ? "is a character device, not a regular file"
           : S_ISBLK(m)  ? "is a block device, not a regular file"
           : S_ISSOCK(m) ? "is a socket, not a regular file"
                         : "is not a regular file";
}

sfew_status sfew_file_open_fd(const char *path, const char *who, int *fd, int64_t *size,
                              sfew_err *err)
{
    int d = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (d < 0)
        return sfew_fail(err, SFEW_EIO, "%s: cannot open '%s': %s", who, path, strerror(errno));
    struct stat s;
    const char *bad = fstat(d, &s) != 0 ? strerror(errno) : S_ISREG(s.st_mode) ? NULL
                                                                              : kind(s.st_mode);
    if (bad) {
        close(d);
        return sfew_fail(err, SFEW_EIO, "%s: '%s' %s", who, path, bad);
    }
    int fl = fcntl(d, F_GETFL);
    if (fl >= 0)
        fcntl(d, F_SETFL, fl & ~O_NONBLOCK);
    *fd = d;
    if (size)
        *size = (int64_t)s.st_size;
    return SFEW_OK;
}

sfew_status sfew_file_open(const char *path, const char *who, FILE **out, int64_t *size,
                           sfew_err *err)
{
    int fd;
    sfew_status st = sfew_file_open_fd(path, who, &fd, size, err);
    if (st)
        return st;
    if (!(*out = fdopen(fd, "rb"))) {
        st = sfew_fail(err, SFEW_EIO, "%s: cannot open '%s': %s", who, path, strerror(errno));
        close(fd);
    }
    return st;
}
