/* Batch normalisation (Ioffe and Szegedy 2015, Algorithm 1) as torch.nn.BatchNorm1d/2d:
 * per channel c, y = (x - mean_c) / sqrt(var_c + eps) * weight_c + bias_c. In training the
 * statistics are the batch's (over N, or N, H, W; biased variance) and the running ones
 * move by running = (1 - momentum) running + momentum batch, with the unbiased variance;
 * in evaluation the running statistics are used. */
#ifndef SFEW_BATCHNORM_H
#define SFEW_BATCHNORM_H

#include "../tensor.h"

typedef struct sfew_batchnorm {
    int dims;                   /* 1: (N, C) or (N, C, L) input; 2: (N, C, H, W) */
    int64_t c;                  /* C: channels (2-D) or features (1-D) */
    double eps, momentum;
    int training;               /* 1: batch statistics, updating the running ones */
    sfew_tensor *weight, *bias; /* (C) each, or NULL without affine */
    sfew_tensor *grad_weight, *grad_bias;  /* (C), or NULL */
    sfew_tensor *running_mean, *running_var; /* (C): start at 0 and 1 */
    int64_t batches;            /* training forwards so far (num_batches_tracked) */
    sfew_tensor *xhat;          /* cache: the normalised input of the last forward, in's shape */
    sfew_tensor *invstd;        /* cache: (C) 1 / sqrt(var + eps) the last forward used */
    int cached_training;        /* cache: whether the last forward used batch statistics */
} sfew_batchnorm;

/* dims 1 or 2, c >= 1 channels, eps > 0, momentum in [0, 1] (PyTorch's defaults: 1e-5 and
 * 0.1); affine gives weight 1 and bias 0. Starts in training mode. Caller owns *out. */
sfew_status sfew_batchnorm_create(int dims, int64_t c, double eps, double momentum, int affine,
                                  sfew_batchnorm **out, sfew_err *err);
void sfew_batchnorm_free(sfew_batchnorm *l);
/* SFEW_ESHAPE unless in is (N, C, H, W) for dims 2, (N, C) or (N, C, L) for dims 1, with the
 * layer's C; in training, also unless each channel has more than one value. */
sfew_status sfew_batchnorm_check(const sfew_batchnorm *l, const sfew_tensor *in,
                                 sfew_err *err);
/* Resizes out to in's shape and normalises; in training updates the running statistics
 * and the batch count. Caches xhat and invstd for backward. Channels run in parallel on up
 * to `threads` threads. */
sfew_status sfew_batchnorm_forward(sfew_batchnorm *l, const sfew_tensor *in, sfew_tensor *out,
                                   int threads, sfew_err *err);
/* Adds into grad_weight/grad_bias; overwrites grad_in (resized to in's shape). The
 * gradient is that of the statistics the last forward used: through the batch mean and
 * variance after a training forward, through constants after an evaluation one. in must
 * have the shape of the last forward's input. */
sfew_status sfew_batchnorm_backward(sfew_batchnorm *l, const sfew_tensor *in,
                                    const sfew_tensor *grad_out, sfew_tensor *grad_in,
                                    int threads, sfew_err *err);
/* Replaces the per-channel tensors by copies of the given ones, all (C') (weight and bias
 * NULL exactly when the layer has no affine part), for pruning channels: gradients become
 * zeros of the new size, the cache is dropped. On failure nothing changes. */
sfew_status sfew_batchnorm_set_params(sfew_batchnorm *l, const sfew_tensor *weight,
                                      const sfew_tensor *bias, const sfew_tensor *running_mean,
                                      const sfew_tensor *running_var, sfew_err *err);

#endif
