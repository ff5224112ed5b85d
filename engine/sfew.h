/* sfewlua's engine: float32 tensors, layers with hand-written backward passes, SGD and
 * Adam, pruning, image and table readers, checkpoints. Pure C11 over OpenBLAS, stb and
 * zlib; no Lua in here. This header includes every other one and states the rules they
 * all follow.
 *
 * OWNERSHIP. Whoever calls a _new, _create or _load function owns the result and releases
 * it with the matching _free; _free(NULL) does nothing. A function keeps no pointer to its
 * arguments unless its comment says "borrows"; a pointer a function returns into an
 * object (a layer's weight, sfew_sgd_buffer) is borrowed and valid until that object is
 * freed or its parameters are replaced.
 *
 * VIEWS. Tensors are contiguous float32, row-major, images NCHW. Storage is reference-
 * counted: sfew_tensor_reshape and _narrow return new tensors sharing it, each freed on
 * its own, in any order; the storage goes with the last of them. A view never dangles:
 * replacing a layer's parameters (pruning) gives the layer new tensors and leaves old
 * views on the old storage.
 *
 * OUTPUTS. Forward and backward write into tensors the caller passes and resize them
 * (sfew_tensor_resize reuses storage that is large enough and not shared), so a training
 * loop that passes the same output tensors every step allocates nothing after the first.
 * Backward adds into parameter gradients (zero them with sfew_tensor_fill between steps)
 * and overwrites grad_in.
 *
 * ERRORS. A function that can fail returns sfew_status: SFEW_OK (0), or SFEW_EINVAL (a
 * bad value), SFEW_ESHAPE (shapes that do not fit), SFEW_ENOMEM, SFEW_EIO (a file that
 * cannot be read, written or decoded). It takes sfew_err *err last (may be NULL) and on
 * failure writes one line naming the function and the values ("linear_forward: ...")
 * and leaves its outputs untouched, so calls chain with ||. The engine never prints,
 * exits or aborts; it keeps no globals and draws random numbers only from an sfew_rng
 * the caller passes.
 *
 * THREADS. A function with an `int threads` argument runs up to that many POSIX threads
 * inside the call (engine/parallel.h: fork-join, every thread joined before it returns,
 * none left idle between calls) and single-threaded BLAS inside them; sfew_blas_threads
 * sets BLAS's own count for products made outside. The same inputs, seed and thread
 * count give the same bits. Objects are not locked: use each layer, optimiser, tensor
 * and generator from one thread at a time.
 *
 * FILES. Readers open regular files only (a FIFO, device or directory is an SFEW_EIO
 * with a message, never a hang); writers go through io/atomic.h (a synced temporary
 * renamed over the target; devices and FIFOs written in place).
 *
 * EXAMPLE: one Linear layer learning three classes by SGD (create -> forward -> backward
 * -> step -> free). `make test` compiles and runs this text as it stands here.
 * -- example begin
 *     #include <stdio.h>
 *     #include "sfew.h"
 *
 *     int main(void)
 *     {
 *         sfew_err err;
 *         sfew_rng rng;
 *         sfew_rng_seed(&rng, 42);
 *         sfew_linear *fc = NULL;
 *         sfew_tensor *x = NULL, *logits = NULL, *grad = NULL;
 *         sfew_sgd *opt = NULL;
 *         sfew_sgd_opts o = {.lr = 0.5};
 *         int64_t target[6] = {0, 1, 2, 0, 1, 2};
 *         double first = 0, loss = 0;
 *         sfew_status st = sfew_linear_create(4, 3, 1, &rng, &fc, &err)
 *             || sfew_tensor_new4(2, 6, 4, 0, 0, &x, &err)
 *             || sfew_tensor_new4(2, 6, 3, 0, 0, &logits, &err)
 *             || sfew_tensor_new4(2, 6, 3, 0, 0, &grad, &err);
 *         sfew_tensor *params[2] = {fc ? fc->weight : NULL, fc ? fc->bias : NULL};
 *         if (!st)
 *             st = sfew_sgd_create(2, (const sfew_tensor *const *)params, &o, &opt, &err);
 *         for (int i = 0; !st && i < 24; i++) // row r of class r % 3: a one in that column
 *             x->data[i] = (float)((i / 4) % 3 == i % 4) + 0.1f * (float)sfew_rng_normal(&rng);
 *         for (int step = 0; !st && step < 50; step++) {
 *             sfew_tensor_fill(fc->grad_weight, 0);
 *             sfew_tensor_fill(fc->grad_bias, 0);
 *             const sfew_tensor *grads[2] = {fc->grad_weight, fc->grad_bias};
 *             st = sfew_linear_forward(fc, x, logits, &err)
 *                 || sfew_cross_entropy_forward(logits, target, 6, &loss, &err)
 *                 || sfew_cross_entropy_backward(logits, target, 6, grad, &err)
 *                 || sfew_linear_backward(fc, x, grad, NULL, &err)
 *                 || sfew_sgd_step(opt, params, grads, &err);
 *             if (step == 0)
 *                 first = loss;
 *         }
 *         if (st)
 *             fprintf(stderr, "%s\n", err.msg);
 *         else
 *             printf("loss %.4f -> %.4f\n", first, loss);
 *         sfew_sgd_free(opt);
 *         sfew_tensor_free(grad);
 *         sfew_tensor_free(logits);
 *         sfew_tensor_free(x);
 *         sfew_linear_free(fc);
 *         return st || !(loss < first / 4);
 *     }
 * -- example end
 */
#ifndef SFEW_H
#define SFEW_H

#include "clock.h"
#include "features/batch.h"
#include "features/lpq.h"
#include "features/pca.h"
#include "features/phog.h"
#include "data/csv.h"
#include "data/draw.h"
#include "data/files.h"
#include "data/augment.h"
#include "detect/cascade.h"
#include "data/idx.h"
#include "data/image.h"
#include "data/patches.h"
#include "data/synth.h"
#include "gemm.h"
#include "io/atomic.h"
#include "io/json.h"
#include "io/safetensors.h"
#include "parallel.h"
#include "optim/adam.h"
#include "optim/clip.h"
#include "optim/sgd.h"
#include "rng.h"
#include "status.h"
#include "tensor.h"
#include "tensor_math.h"
#include "prune/prune.h"
#include "layers/adaptive_avgpool2d.h"
#include "layers/avgpool2d.h"
#include "layers/batchnorm.h"
#include "layers/conv2d.h"
#include "layers/cross_entropy.h"
#include "layers/dropout.h"
#include "layers/elu.h"
#include "layers/leaky_relu.h"
#include "layers/linear.h"
#include "layers/maxpool2d.h"
#include "layers/mse.h"
#include "layers/relu.h"
#include "layers/sigmoid.h"
#include "layers/tanh.h"

#endif
