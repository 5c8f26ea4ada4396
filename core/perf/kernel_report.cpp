#include "perf/kernel_report.h"

#include "models/attention_kernel.h"
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
    return "products: " + products + "; attention: " + attention;
}

}  // namespace ascope
