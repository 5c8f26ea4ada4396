// attention-scope-cli head-importance and layers: what each head and each layer contribute to a
// [MASK]'s prediction.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "cli/text_commands.h"

namespace ascope::cli {

namespace {
nlohmann::json predictionJson(const TokenPrediction& p) {
    return {{"token", p.token}, {"id", p.id}, {"probability", p.probability}};
}

nlohmann::json tokensJson(const std::vector<Token>& tokens) {
    auto j = nlohmann::json::array();
    for (const auto& t : tokens) j.push_back(t.text);
    return j;
}

struct RankedHead {
    int layer, head;
    float drop, probability;
};

std::vector<RankedHead> ranked(const HeadImportance& importance, const HeadImportance::Mask& mask) {
    std::vector<RankedHead> out;
    for (int l = 0; l < importance.layers; ++l)
        for (int h = 0; h < importance.heads; ++h)
            out.push_back({l, h, mask.drop(l, h, importance.heads),
                           mask.probability[static_cast<std::size_t>(l) * importance.heads + h]});
    std::stable_sort(out.begin(), out.end(), [](const RankedHead& a, const RankedHead& b) { return a.drop > b.drop; });
    return out;
}
}  // namespace

int runHeadImportance(const std::vector<std::string>& args) {
    auto o = CliOptions::parse(args, withAttentionControls({"--model", "--text", "--text-pair", "--top"}), {"--json"});
    if (!o) return fail(o.error());
    auto top = o->intValue("--top", 10, 1, 100000);
    if (!top) return fail(top.error());
    auto textRun = readTextRun(*o, false);
    if (!textRun) return fail(textRun.error());
    const auto* text = &textRun->text;
    const auto& model = textRun->model;
    const auto& run = textRun->options;
    const bool tty = isatty(STDERR_FILENO) != 0;
    const auto tokens = textRun->pair.empty() ? model->tokenizer().encode(*text) : model->tokenizer().encodePair(*text, textRun->pair);
    auto importance = model->headImportance(tokens, run, [tty](int done, int total) {
        if (tty) std::fprintf(stderr, "\rhead importance: %3d%%", 100 * done / std::max(1, total));
        return true;
    });
    if (tty) std::fprintf(stderr, "\r%*s\r", 24, "");
    if (!importance) return fail(importance.error());

    if (o->has("--json")) {
        const char* target = importance->target == HeadImportance::Target::Sentence ? "sentence"
                             : importance->target == HeadImportance::Target::Tokens ? "tokens"
                                                                                     : "masks";
        nlohmann::json j{{"text", *text}, {"tokens", tokensJson(tokens)}, {"layers", importance->layers},
                         {"heads", importance->heads}, {"target", target}, {"masks", nlohmann::json::array()}};
        for (const auto& m : importance->masks) {
            nlohmann::json drop = nlohmann::json::array(), list = nlohmann::json::array();
            for (int l = 0; l < importance->layers; ++l) {
                auto row = nlohmann::json::array();
                for (int h = 0; h < importance->heads; ++h) row.push_back(m.drop(l, h, importance->heads));
                drop.push_back(std::move(row));
            }
            for (const auto& r : ranked(*importance, m))
                list.push_back({{"layer", r.layer}, {"head", r.head}, {"drop", r.drop}, {"probability", r.probability},
                                {"already_off", importance->alreadyOff[static_cast<std::size_t>(r.layer) * importance->heads + r.head] != 0}});
            j["masks"].push_back({{"position", m.position}, {"answer", predictionJson(m.answer)}, {"drop", std::move(drop)},
                                  {"ranked", std::move(list)}});
        }
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    for (const auto& m : importance->masks) {
        if (importance->target == HeadImportance::Target::Sentence)
            std::printf("The sentence: label '%s' with probability %.4f. Drop when one head is switched off:\n",
                        m.answer.token.c_str(), m.answer.probability);
        else if (importance->target == HeadImportance::Target::Tokens)
            std::printf("Token %d '%s': tag '%s' with probability %.4f. Drop when one head is switched off:\n", m.position,
                        labelOf(tokens[static_cast<std::size_t>(m.position)]).c_str(), m.answer.token.c_str(), m.answer.probability);
        else
            std::printf("[MASK] at token %d: answer '%s' with probability %.4f. Drop when one head is switched off:\n",
                        m.position, m.answer.token.c_str(), m.answer.probability);
        std::printf("%5s", "layer");
        for (int h = 0; h < importance->heads; ++h) std::printf(" %7s", ("H" + std::to_string(h)).c_str());
        std::printf("\n");
        for (int l = 0; l < importance->layers; ++l) {
            std::printf("%5d", l);
            for (int h = 0; h < importance->heads; ++h) std::printf(" %+7.4f", m.drop(l, h, importance->heads));
            std::printf("\n");
        }
        std::printf("Most important heads:\n");
        const auto list = ranked(*importance, m);
        for (std::size_t i = 0; i < list.size() && static_cast<int>(i) < *top; ++i)
            std::printf("  %2zu. layer %d, head %d: %.4f -> %.4f (drop %+.4f)\n", i + 1, list[i].layer, list[i].head,
                        m.answer.probability, list[i].probability, list[i].drop);
    }
    return 0;
}

int runLayers(const std::vector<std::string>& args) {
    auto o = CliOptions::parse(args, withAttentionControls({"--model", "--text", "--text-pair", "--top-k"}), {"--json"});
    if (!o) return fail(o.error());
    auto topK = o->intValue("--top-k", 5, 1, 1000);
    if (!topK) return fail(topK.error());
    auto mlm = readTextRun(*o, true);
    if (!mlm) return fail(mlm.error());
    mlm->options.topK = *topK;
    const auto* text = &mlm->text;
    mlm->options.predictByLayer = true;
    auto result = analyseRun(*mlm);
    if (!result) return fail(result.error());
    if (result->layerPredictions.empty()) return fail("the text has no [MASK] token to predict");

    if (o->has("--json")) {
        nlohmann::json j{{"text", *text}, {"tokens", tokensJson(result->tokens)}, {"masks", nlohmann::json::array()}};
        for (const auto& m : result->layerPredictions) {
            nlohmann::json layers = nlohmann::json::array();
            for (std::size_t l = 0; l < m.layers.size(); ++l) {
                nlohmann::json top = nlohmann::json::array();
                for (const auto& p : m.layers[l].top) top.push_back(predictionJson(p));
                layers.push_back({{"after_layer", static_cast<int>(l) - 1}, {"top", std::move(top)},
                                  {"final_rank", m.layers[l].finalRank}, {"final_probability", m.layers[l].finalProbability}});
            }
            j["masks"].push_back({{"position", m.position}, {"final", predictionJson(m.finalToken)}, {"layers", std::move(layers)}});
        }
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    for (const auto& m : result->layerPredictions) {
        std::printf("[MASK] at token %d: the masked-LM head after every layer; the final answer is '%s'.\n", m.position,
                    m.finalToken.token.c_str());
        for (std::size_t l = 0; l < m.layers.size(); ++l) {
            const auto& lp = m.layers[l];
            const std::string stage = l == 0 ? "embeddings" : "layer " + std::to_string(l - 1);
            std::printf("  %-11s rank %5d (%.4f) |", stage.c_str(), lp.finalRank + 1, lp.finalProbability);
            for (const auto& p : lp.top) std::printf(" %s %.3f", p.token.c_str(), p.probability);
            std::printf("\n");
        }
    }
    return 0;
}

}  // namespace ascope::cli
