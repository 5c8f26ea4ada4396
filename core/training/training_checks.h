#pragma once
// Checks both trainers share (torch-free): a model shape usable before anything divides by it.
#include "util/expected.h"

namespace ascope::training {

// The message names the parameters as core does (front ends phrase them as their own options).
Status checkTrainingShape(int layers, int hidden, int heads, int intermediate, int steps, int checkpointEvery);

}  // namespace ascope::training
