/* The engine's public API in one include: tensors, the generator, products, layers,
 * optimisers, pruning, data and checkpoints. No Lua in here. */
#ifndef SFEW_H
#define SFEW_H

#include "clock.h"
#include "gemm.h"
#include "rng.h"
#include "status.h"
#include "tensor.h"
#include "tensor_math.h"
#include "layers/conv2d.h"
#include "layers/cross_entropy.h"
#include "layers/linear.h"
#include "layers/maxpool2d.h"
#include "layers/mse.h"
#include "layers/relu.h"
#include "layers/sigmoid.h"
#include "layers/tanh.h"

#endif
