/* Helpers for fuzz targets whose reader takes a path: the input goes to a per-process
 * scratch file (in /dev/shm when there is one, so no disk traffic), rewritten each run. */
#ifndef SFEW_FUZZ_FILE_H
#define SFEW_FUZZ_FILE_H

#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *fuzz_file(const char *tag, const unsigned char *data, size_t size)
{
    static char path[256];
    if (!path[0]) {
        const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(path, sizeof path, "%s/sfew-fuzz-%s-%ld", dir, tag, (long)getpid());
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    return path;
}

#endif
