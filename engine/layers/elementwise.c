/* Shared plumbing of the element-wise activations: checks, resizing, parallel ranges. */
#include "elementwise.h"
#include "../parallel.h"

#include <stddef.h>

typedef struct pass {
    sfew_ew ew;
    sfew_ew_range fn;
} pass;

static void run_range(void *ctx, int64_t lo, int64_t hi)
{
    pass *p = ctx;
    p->fn(&p->ew, lo, hi);
}

sfew_status sfew_ew_forward(const sfew_tensor *in, sfew_tensor *out, int threads,
                            sfew_ew_range fwd, sfew_err *err)
{
    return sfew_ew_forward_a(in, out, 0.0f, threads, fwd, err);
}

sfew_status sfew_ew_forward_a(const sfew_tensor *in, sfew_tensor *out, float a, int threads,
                              sfew_ew_range fwd, sfew_err *err)
{
    sfew_status st;
    if (out != in && (st = sfew_tensor_resize(out, in->ndim, in->shape, err)))
        return st;
    pass p = {{in->data, NULL, out->data, a}, fwd};
    sfew_parallel_range(sfew_par_threads(threads, in->numel), in->numel, run_range, &p);
    return SFEW_OK;
}

sfew_status sfew_ew_check(const char *name, const sfew_tensor *in, const sfew_tensor *grad_out,
                          sfew_err *err)
{
    char a[96], b[96];
    if (!sfew_tensor_same_shape(in, grad_out))
        return sfew_fail(err, SFEW_ESHAPE, "%s backward: grad_output is %s, input is %s", name,
                         sfew_shape_str(grad_out->ndim, grad_out->shape, a, 96),
                         sfew_shape_str(in->ndim, in->shape, b, 96));
    return SFEW_OK;
}

sfew_status sfew_ew_backward(const char *name, const sfew_tensor *in,
                             const sfew_tensor *grad_out, sfew_tensor *grad_in, int threads,
                             sfew_ew_range bwd, sfew_err *err)
{
    return sfew_ew_backward_a(name, in, grad_out, grad_in, 0.0f, threads, bwd, err);
}

sfew_status sfew_ew_backward_a(const char *name, const sfew_tensor *in,
                               const sfew_tensor *grad_out, sfew_tensor *grad_in, float a,
                               int threads, sfew_ew_range bwd, sfew_err *err)
{
    sfew_status st = sfew_ew_check(name, in, grad_out, err);
    if (st)
        return st;
    if (grad_in != grad_out && (st = sfew_tensor_resize(grad_in, in->ndim, in->shape, err)))
        return st;
    pass p = {{in->data, grad_out->data, grad_in->data, a}, bwd};
    sfew_parallel_range(sfew_par_threads(threads, in->numel), in->numel, run_range, &p);
    return SFEW_OK;
}
