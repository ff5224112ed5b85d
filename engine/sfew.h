/* The engine's public API in one include: tensors, the generator, products, layers,
 * optimisers, pruning, data and checkpoints. No Lua in here. */
#ifndef SFEW_H
#define SFEW_H

#include "clock.h"
#include "data/csv.h"
#include "data/draw.h"
#include "data/files.h"
#include "data/idx.h"
#include "data/image.h"
#include "data/synth.h"
#include "gemm.h"
#include "rng.h"
#include "status.h"
#include "tensor.h"
#include "tensor_math.h"

#endif
