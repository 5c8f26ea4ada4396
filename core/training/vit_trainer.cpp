#include "training/vit_trainer.h"

#include <chrono>
#include <filesystem>

#include "engine/engine_functions.h"
#include "inference/image_model.h"
#include "models/torch_weights.h"
#include "models/vit.h"
#include "training/shapes_dataset.h"
#include "training/training_support.h"
#include "util/compute_threads.h"

namespace fs = std::filesystem;

namespace ascope {

Expected<int> engine::trainVitShapes(const VitTrainConfig& t, const TrainCallback& onProgress) {
    if (auto st = validateVitConfig(t); !st) return st.errorValue();
    std::error_code ec;
    fs::create_directories(t.outDir, ec);
    if (ec) return makeError(ErrorKind::Io, t.outDir + ": cannot create the output folder");
    const auto& names = shapeClassNames();
    ModelConfig c;
    c.modelType = "vit";
    c.architectures = {"ViTForImageClassification"};
    c.hiddenSize = t.hidden;
    c.numLayers = t.layers;
    c.numHeads = t.heads;
    c.intermediateSize = t.intermediate;
    c.imageSize = t.imageSize;
    c.patchSize = t.patchSize;
    c.layerNormEps = 1e-6;
    for (std::size_t i = 0; i < names.size(); ++i) c.id2label[static_cast<int>(i)] = names[i];
    const fs::path dir(t.outDir);
    try {
        configureComputeThreads();
        torch::manual_seed(t.seed);
        VitModel model(c, 1);
        torch::nn::Linear classifier(t.hidden, static_cast<int64_t>(names.size()));
        training::initWeights(*model);
        training::initWeights(*classifier);
        {
            torch::NoGradGuard noGrad;
            model->clsToken.normal_(0.0, 0.02);
            model->positionEmbeddings.normal_(0.0, 0.02);
        }
        auto optimizer = training::makeAdamW({model.get(), classifier.get()}, t.learningRate, t.weightDecay);
        int startStep = 0;
        if (t.resume) {
            auto tensors = CheckpointTensors::openFolder(t.outDir);
            if (!tensors) return withContext(tensors.errorValue(), "cannot resume: ");
            if (auto st = loadParameters(*model, *tensors, "vit."); !st) return st.errorValue();
            auto holder = std::make_shared<torch::nn::Module>();
            holder->register_module("classifier", classifier);
            if (auto st = loadParameters(*holder, *tensors, ""); !st) return st.errorValue();
            auto s0 = training::loadTrainerState(t.outDir, *optimizer);
            if (!s0) return withContext(s0.errorValue(), "cannot resume: ");
            startStep = s0->step;
        }
        if (auto st = training::writeTextAtomic((dir / "config.json").string(), c.toJsonText()); !st) return st.errorValue();
        const std::string pre = "{\"do_resize\": true, \"size\": {\"height\": " + std::to_string(t.imageSize) + ", \"width\": " +
                                std::to_string(t.imageSize) +
                                "}, \"resample\": 3, \"do_rescale\": true, \"rescale_factor\": 0.00392156862745098, "
                                "\"do_normalize\": true, \"image_mean\": [0.5, 0.5, 0.5], \"image_std\": [0.5, 0.5, 0.5], "
                                "\"image_processor_type\": \"ViTImageProcessor\"}";
        if (auto st = training::writeTextAtomic((dir / "preprocessor_config.json").string(), pre); !st) return st.errorValue();

        auto save = [&](int atStep) -> Status {
            SafetensorsWriter writer;
            training::addParameters(writer, *model, "vit.", false);
            training::addParameters(writer, *classifier, "classifier.", false);
            writer.setMetadata("format", "pt");
            if (auto st = writer.write((dir / "model.safetensors").string()); !st) return st;
            return training::saveTrainerState(t.outDir, *optimizer, atStep, t.seed);
        };
        model->train();
        classifier->train();
        const int size = t.imageSize;
        const std::size_t plane = static_cast<std::size_t>(size) * size;
        // The data are a pure function of (seed, step): a resumed run sees exactly the images an
        // uninterrupted one would, and the model has no dropout, so nothing else is random.
        auto forward = [&](int step) -> training::StepOutput {
            std::vector<float> pixels(static_cast<std::size_t>(t.batchSize) * 3 * plane);
            std::vector<int64_t> labels;
            for (int b = 0; b < t.batchSize; ++b) {
                const auto sample = renderShapeSample(t.seed, static_cast<unsigned long long>(step) * t.batchSize + b, size);
                labels.push_back(sample.label);
                for (std::size_t p = 0; p < plane; ++p)
                    for (int ch = 0; ch < 3; ++ch)
                        pixels[(static_cast<std::size_t>(b) * 3 + ch) * plane + p] = sample.image.pixels[p * 3 + ch] / 127.5f - 1.f;
            }
            auto input = torch::from_blob(pixels.data(), {t.batchSize, 3, size, size}).clone();  // [batch, channels, H, W]
            auto target = torch::tensor(labels, torch::kLong);
            auto out = model->forward(input);
            auto logits = classifier(out.lastHidden.select(1, 0));  // [batch, classes]
            const double acc = logits.argmax(-1).eq(target).to(torch::kFloat32).mean().item<double>();
            return {torch::nn::functional::cross_entropy(logits, target), acc, static_cast<double>(t.batchSize)};
        };
        training::LoopSettings loop{t.steps, t.learningRate, t.warmupFraction, t.clipNorm, t.checkpointEvery, t.outDir};
        return training::runTrainingLoop(loop, *optimizer, startStep, forward, save, onProgress);
    } catch (const std::exception& e) {
        return makeError(ErrorKind::Internal, describeTorchError(e));
    }
}

Expected<double> engine::evaluateVitShapes(const std::string& modelDir, int count, unsigned seed) {
    auto model = ImageModel::load(modelDir);
    if (!model) return model.errorValue();
    const int size = (*model)->config().imageSize;
    int correct = 0;
    for (int i = 0; i < count; ++i) {
        const auto sample = renderShapeSample(heldOutShapesSeed(seed), static_cast<unsigned long long>(i), size);
        ImageRunOptions options;
        options.topK = 1;
        auto r = (*model)->analyse(sample.image, options);
        if (!r) return r.errorValue();
        if (!r->top.empty() && r->top[0].id == sample.label) ++correct;
    }
    return count > 0 ? static_cast<double>(correct) / count : 0.0;
}

}  // namespace ascope
