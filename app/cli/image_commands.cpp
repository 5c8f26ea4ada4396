#include "cli/image_commands.h"

#include <QString>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli_options.h"
#include "cli/text_commands.h"
#include "export/attention_exporter.h"
#include "inference/image_model.h"
#include "io/image_file_reader.h"
#include "util/resource_paths.h"

namespace ascope::cli {

namespace {
struct Loaded {
    std::unique_ptr<ImageModel> model;
    RgbImage image;
};

Expected<Loaded> openModelAndImage(const CliOptions& o) {
    std::string dir = o.value("--model").value_or("");
    if (dir.empty()) {
        dir = builtinModelDir("demo-vit");
        if (dir.empty()) return makeError(ErrorKind::InvalidInput, "no --model given and the built-in demo image model is not installed");
    }
    const auto path = o.value("--image");
    if (!path || path->empty()) return makeError(ErrorKind::InvalidInput, "--image FILE is required");
    // libpng writes its own diagnostics straight to stderr; silence them while decoding so an
    // error stays one line (ours).
    std::fflush(stderr);
    const int savedErr = ::dup(2);
    const int devNull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (savedErr >= 0 && devNull >= 0) ::dup2(devNull, 2);
    auto image = ui::readImageFile(QString::fromStdString(*path));
    if (savedErr >= 0) {
        ::dup2(savedErr, 2);
        ::close(savedErr);
    }
    if (devNull >= 0) ::close(devNull);
    if (!image) return image.errorValue();
    auto model = ImageModel::load(dir);
    if (!model) return model.errorValue();
    return Loaded{std::move(*model), std::move(*image)};
}
}  // namespace

int runClassify(const std::vector<std::string>& args) {
    auto o = CliOptions::parse(args, withAttentionControls({"--model", "--image", "--top-k"}), {"--json"});
    if (!o) return fail(o.error());
    auto topK = o->intValue("--top-k", 5, 1, 100000);
    if (!topK) return fail(topK.error());
    auto controls = readAttentionControls(*o);
    if (!controls) return fail(controls.error());
    auto loaded = openModelAndImage(*o);
    if (!loaded) return fail(loaded.error());
    if (!loaded->model->hasClassifier()) return fail(loaded->model->directory() + ": this checkpoint has no classifier head");
    ImageRunOptions run;
    run.topK = *topK;
    run.attentionMask = controls->mask;
    run.ablate = controls->ablate;
    auto result = loaded->model->analyse(loaded->image, run);
    if (!result) return fail(result.error());
    if (o->has("--json")) {
        nlohmann::json j;
        j["image"] = *o->value("--image");
        j["predictions"] = nlohmann::json::array();
        for (const auto& p : result->top) j["predictions"].push_back({{"label", p.label}, {"id", p.id}, {"probability", p.probability}});
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    int rank = 1;
    for (const auto& p : result->top) std::printf("%2d. %-40s %.4f\n", rank++, p.label.c_str(), p.probability);
    return 0;
}

int runImageAttention(const std::vector<std::string>& args) {
    auto o = CliOptions::parse(args, withAttentionControls({"--model", "--image", "--layer", "--head", "--format", "--out"}), {});
    if (!o) return fail(o.error());
    auto request = readAttentionExport(*o);
    if (!request) return fail(request.error());
    auto controls = readAttentionControls(*o);
    if (!controls) return fail(controls.error());
    auto loaded = openModelAndImage(*o);
    if (!loaded) return fail(loaded.error());
    ImageRunOptions run;
    run.attentionMask = controls->mask;
    run.ablate = controls->ablate;
    auto result = loaded->model->analyse(loaded->image, run);
    if (!result) return fail(result.error());
    return writeAttentionExport(*request, result->attention, result->tokenLabels());
}

}  // namespace ascope::cli
