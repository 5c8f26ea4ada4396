#include "perf/kernel_report.h"

#include "models/attention_kernel.h"
#include "models/matrix_vector.h"
#include "models/panel_product.h"
#include "models/softmax_kernel.h"

namespace ascope {

std::string inferenceKernels() {
    std::string products;
    if (panelKernelAvailable())
        products = "oneDNN's blocked kernels, the 64-column panel kernel up to " + std::to_string(kPanelMaxRows) + " rows (AVX-512)";
    else if (narrowPanelKernelAvailable())
        products = "the 16-column panel kernel (AVX2)";
    else
        products = "BLAS";
    const char* fused = fusedAttentionIsa();
    const std::string attention = fused ? "one pass per head (" + std::string(fused) + ")"
                                        : "oneDNN's products, the " + std::string(softmaxKernelIsa()) + " softmax";
    // The MLM decoder's few [MASK] rows (models/packed_linear.h's fewRowsLinearInPlace).
    const std::string decoder = !matrixVectorAvailable() ? "BLAS's matrix-vector product, oneDNN from 2 [MASK]s"
                                : "the matrix-vector kernel up to " + std::to_string(kMaxVectors) + " [MASK]s (" +
                                      (panelKernelAvailable() ? "AVX-512" : "AVX2") + ")";
    return "products: " + products + "; attention: " + attention + "; decoder: " + decoder;
}

}  // namespace ascope
