/* The engine's public API in one include: tensors, the generator, products, layers,
 * optimisers, pruning, data and checkpoints. No Lua in here. */
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
#include "data/idx.h"
#include "data/image.h"
#include "data/patches.h"
#include "data/synth.h"
#include "gemm.h"
#include "io/atomic.h"
#include "io/json.h"
#include "io/safetensors.h"
#include "optim/adam.h"
#include "optim/sgd.h"
#include "rng.h"
#include "status.h"
#include "tensor.h"
#include "tensor_math.h"
#include "prune/prune.h"
#include "layers/conv2d.h"
#include "layers/cross_entropy.h"
#include "layers/linear.h"
#include "layers/maxpool2d.h"
#include "layers/mse.h"
#include "layers/relu.h"
#include "layers/sigmoid.h"
#include "layers/tanh.h"

#endif
