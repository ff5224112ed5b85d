/* Atomic writes: temporary name, fsync, rename; devices and FIFOs written in place; stale
 * temporaries of dead writers cleaned on the next write to the same target. */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700
#include "atomic.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TRIES 100 /* suffixes -1 .. -99 after the plain "<pid>" */

static sfew_status io_fail(sfew_err *err, const char *path, const char *why)
{
    return sfew_fail(err, SFEW_EIO, "cannot write '%s': %s", path, why);
}

sfew_status sfew_atomic_check(const char *path, int *direct, sfew_err *err)
{
    struct stat s;
    if (direct)
        *direct = 0;
    if (!path[0])
        return io_fail(err, path, "empty path");
    if (stat(path, &s) != 0)
        return SFEW_OK; /* missing (or unreachable: creating the temporary will say) */
    if (S_ISREG(s.st_mode))
        return SFEW_OK;
    if (S_ISCHR(s.st_mode) || S_ISFIFO(s.st_mode)) {
        if (direct)
            *direct = 1;
        return SFEW_OK;
    }
    return io_fail(err, path, S_ISDIR(s.st_mode)   ? "is a directory"
                              : S_ISBLK(s.st_mode) ? "is a block device, not a file"
                              : S_ISSOCK(s.st_mode) ? "is a socket, not a file"
                                                    : "not a regular file");
}

/* The folder part of path ("." when none) into dir, and where the name starts. */
static const char *split(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(dir, cap, ".");
        return path;
    }
    size_t n = (size_t)(slash - path);
    if (n >= cap)
        n = cap - 1;
    memcpy(dir, path, n ? n : 1); /* "/name": the root */
    dir[n ? n : 1] = 0;
    return slash + 1;
}

static void sync_dir(const char *path)
{
    char dir[4096];
    split(path, dir, sizeof dir);
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) { /* some file systems refuse to sync folders: the data is safe anyway */
        fsync(fd);
        close(fd);
    }
}

static int remove_entry(const char *p, const struct stat *s, int flag, struct FTW *f)
{
    (void)s, (void)flag, (void)f;
    return remove(p);
}

/* The pid in "<pid>" or "<pid>-<k>", or 0 when s is not such a suffix. */
static long suffix_pid(const char *s)
{
    char *end;
    if (*s < '1' || *s > '9')
        return 0;
    long pid = strtol(s, &end, 10);
    if (*end == '-') {
        const char *k = end + 1;
        strtol(k, &end, 10);
        if (end == k)
            return 0;
    }
    return *end ? 0 : pid;
}

/* Whether process pid has ended: no such process, or a zombie not yet reaped (Linux's
 * /proc tells; elsewhere a zombie counts as running, which only delays the cleaning). */
static int pid_ended(long pid)
{
    if (kill((pid_t)pid, 0) != 0)
        return errno == ESRCH;
    char p[64], buf[256];
    snprintf(p, sizeof p, "/proc/%ld/stat", pid);
    FILE *f = fopen(p, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *paren = strrchr(buf, ')'); /* the state follows "(command)" */
    return paren && paren[1] == ' ' && paren[2] == 'Z';
}

/* Removes "<name>.tmp-<pid>[-<k>]" beside path whose process has ended. */
static void clean_stale(const char *path)
{
    char dir[4096];
    const char *name = split(path, dir, sizeof dir);
    size_t nlen = strlen(name);
    DIR *d = opendir(dir);
    if (!d)
        return;
    long self = (long)getpid();
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, name, nlen) != 0 || strncmp(e->d_name + nlen, ".tmp-", 5) != 0)
            continue;
        long pid = suffix_pid(e->d_name + nlen + 5);
        if (pid <= 0 || pid == self || !pid_ended(pid))
            continue;
        char full[8192];
        if (snprintf(full, sizeof full, "%s/%s", dir, e->d_name) >= (int)sizeof full)
            continue;
        struct stat s;
        if (lstat(full, &s) != 0)
            continue;
        if (S_ISDIR(s.st_mode))
            nftw(full, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        else
            unlink(full);
    }
    closedir(d);
}

/* Creates a fresh temporary (file: returns its descriptor; dir: 0). */
static sfew_status make_temp(const char *path, int dir, char **out, int *fd, sfew_err *err)
{
    size_t cap = strlen(path) + 48;
    char *tmp = malloc(cap);
    if (!tmp)
        return sfew_fail(err, SFEW_ENOMEM, "cannot write '%s': no memory", path);
    clean_stale(path);
    long pid = (long)getpid();
    for (int k = 0; k < MAX_TRIES; k++) {
        if (k == 0)
            snprintf(tmp, cap, "%s.tmp-%ld", path, pid);
        else
            snprintf(tmp, cap, "%s.tmp-%ld-%d", path, pid, k);
        int r = dir ? mkdir(tmp, 0777) : open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (r >= 0) {
            *fd = dir ? 0 : r;
            *out = tmp;
            return SFEW_OK;
        }
        if (errno != EEXIST)
            break;
    }
    int e = errno;
    sfew_status st = sfew_fail(err, SFEW_EIO, "cannot write '%s': %s", path,
                               e == EEXIST ? "no free temporary name" : strerror(e));
    free(tmp);
    return st;
}

/* Opens a device or FIFO for writing in place; a FIFO without a reader fails at once. */
static sfew_status open_direct(sfew_atomic *a, const char *path, sfew_err *err)
{
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return io_fail(err, path, errno == ENXIO ? "a FIFO with no reader" : strerror(errno));
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK); /* from here on, writes wait for the reader */
    if (!(a->f = fdopen(fd, "wb"))) {
        close(fd);
        return io_fail(err, path, strerror(errno));
    }
    return SFEW_OK;
}

sfew_status sfew_atomic_open(sfew_atomic *a, const char *path, sfew_err *err)
{
    *a = (sfew_atomic){0};
    int direct;
    sfew_status st = sfew_atomic_check(path, &direct, err);
    if (st)
        return st;
    if (!(a->path = strdup(path)))
        return sfew_fail(err, SFEW_ENOMEM, "cannot write '%s': no memory", path);
    int fd = -1;
    st = direct ? open_direct(a, path, err) : make_temp(path, 0, &a->tmp, &fd, err);
    if (!st && !direct && !(a->f = fdopen(fd, "wb"))) {
        st = io_fail(err, path, strerror(errno));
        close(fd);
        unlink(a->tmp);
    }
    if (st) {
        free(a->path);
        free(a->tmp);
        *a = (sfew_atomic){0};
    }
    return st;
}

sfew_status sfew_atomic_close(sfew_atomic *a, int ok, sfew_err *err)
{
    if (!a->f)
        return io_fail(err, a->path ? a->path : "", "not open");
    int e = 0;
    if (ok && (fflush(a->f) != 0 || ferror(a->f)))
        ok = 0, e = errno;
    if (ok && a->tmp && !a->nosync && fsync(fileno(a->f)) != 0)
        ok = 0, e = errno;
    if (fclose(a->f) != 0 && ok)
        ok = 0, e = errno;
    if (ok && a->tmp && rename(a->tmp, a->path) != 0)
        ok = 0, e = errno;
    sfew_status st = SFEW_OK;
    if (!ok) {
        if (a->tmp)
            unlink(a->tmp);
        st = io_fail(err, a->path, e ? strerror(e) : "write failed");
    } else if (a->tmp && !a->nosync) {
        sync_dir(a->path);
    }
    free(a->path);
    free(a->tmp);
    *a = (sfew_atomic){0};
    return st;
}

sfew_status sfew_atomic_write(const char *path, const void *data, size_t len, sfew_err *err)
{
    sfew_atomic a;
    sfew_status st = sfew_atomic_open(&a, path, err);
    if (st)
        return st;
    int ok = len == 0 || fwrite(data, 1, len, a.f) == len;
    return sfew_atomic_close(&a, ok, err);
}

sfew_status sfew_atomic_temp(const char *path, int dir, char **out, sfew_err *err)
{
    int direct, fd = -1;
    sfew_status st = sfew_atomic_check(path, &direct, err);
    if (!st)
        st = make_temp(path, dir, out, &fd, err);
    if (!st && !dir)
        close(fd);
    return st;
}

/* Copies the file tmp into the device or FIFO at path. */
static sfew_status copy_direct(const char *tmp, const char *path, sfew_err *err)
{
    FILE *in = fopen(tmp, "rb");
    if (!in)
        return io_fail(err, tmp, strerror(errno));
    sfew_atomic a;
    sfew_status st = sfew_atomic_open(&a, path, err);
    if (st) {
        fclose(in);
        return st;
    }
    char buf[65536];
    size_t n;
    int ok = 1;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, a.f) == n;
    ok = ok && !ferror(in);
    fclose(in);
    st = sfew_atomic_close(&a, ok, err);
    if (!st)
        unlink(tmp);
    return st;
}

sfew_status sfew_atomic_rename(const char *tmp, const char *path, sfew_err *err)
{
    int direct;
    struct stat s;
    sfew_status st = sfew_atomic_check(path, &direct, err);
    if (st && !(stat(tmp, &s) == 0 && S_ISDIR(s.st_mode) && stat(path, &s) == 0 &&
                S_ISDIR(s.st_mode)))
        return st;
    if (direct)
        return copy_direct(tmp, path, err);
    if (rename(tmp, path) != 0)
        return io_fail(err, path, strerror(errno));
    sync_dir(path);
    return SFEW_OK;
}
