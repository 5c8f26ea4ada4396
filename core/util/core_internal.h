#pragma once
// Included first by every core header that includes LibTorch or oneDNN. Those headers are private
// to the ascope_core target (which defines ASCOPE_CORE_INTERNAL), so that torch's macros (`slots`,
// `CHECK`) and its compile cost never reach ui/ or app/ code by accident. The public face of
// the engine is the torch-free API in inference/ (TextModel, ImageModel). Tests of the kernels
// themselves opt in explicitly.
#ifndef ASCOPE_CORE_INTERNAL
#error "This header includes LibTorch or oneDNN and is internal to ascope_core: use inference/text_model.h or inference/image_model.h"
#endif
