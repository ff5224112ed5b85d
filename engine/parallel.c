/* sfew_parallel: start parts - 1 threads, run part 0 here, join. */
#include "parallel.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct job {
    sfew_part_fn fn;
    void *ctx;
    int part, parts;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    j->fn(j->ctx, j->part, j->parts);
    return NULL;
}

void sfew_parallel(int parts, sfew_part_fn fn, void *ctx)
{
    if (parts < 1)
        parts = 1;
    if (parts > SFEW_PAR_MAX)
        parts = SFEW_PAR_MAX;
    pthread_t tid[SFEW_PAR_MAX];
    job jobs[SFEW_PAR_MAX];
    int started[SFEW_PAR_MAX] = {0};
    for (int p = 1; p < parts; p++) {
        jobs[p] = (job){fn, ctx, p, parts};
        started[p] = pthread_create(&tid[p], NULL, run_job, &jobs[p]) == 0;
    }
    fn(ctx, 0, parts);
    for (int p = 1; p < parts; p++) {
        if (started[p])
            pthread_join(tid[p], NULL);
        else
            fn(ctx, p, parts);
    }
}

typedef struct range_job {
    sfew_range_fn fn;
    void *ctx;
    int64_t n;
} range_job;

static void run_range(void *arg, int part, int parts)
{
    range_job *r = arg;
    r->fn(r->ctx, r->n * part / parts, r->n * (part + 1) / parts);
}

void sfew_parallel_range(int parts, int64_t n, sfew_range_fn fn, void *ctx)
{
    range_job r = {fn, ctx, n};
    sfew_parallel(parts, run_range, &r);
}

typedef struct items_job {
    sfew_item_fn fn;
    void *ctx;
    int64_t n, chunk;
    atomic_llong next; /* first index no thread has taken yet */
} items_job;

static void run_items(void *arg, int part, int parts)
{
    (void)parts;
    items_job *r = arg;
    for (;;) {
        int64_t lo = (int64_t)atomic_fetch_add(&r->next, (long long)r->chunk);
        if (lo >= r->n)
            return;
        int64_t hi = r->n - lo < r->chunk ? r->n : lo + r->chunk;
        for (int64_t i = lo; i < hi; i++)
            r->fn(r->ctx, part, i);
    }
}

void sfew_parallel_items(int parts, int64_t n, int64_t chunk, sfew_item_fn fn, void *ctx)
{
    if (n <= 0)
        return;
    if (chunk < 1)
        chunk = 1;
    if (parts > n)
        parts = (int)(n < SFEW_PAR_MAX ? n : SFEW_PAR_MAX);
    items_job r = {.fn = fn, .ctx = ctx, .n = n, .chunk = chunk};
    atomic_init(&r.next, 0);
    sfew_parallel(parts, run_items, &r);
}
