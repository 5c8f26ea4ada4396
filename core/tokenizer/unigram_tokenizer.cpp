#include "tokenizer/unigram_tokenizer.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "tokenizer/unicode_rules.h"
#include "util/json_fields.h"
#include "util/utf8.h"

namespace ascope {

namespace {
using json = nlohmann::json;
constexpr double kUnkPenalty = 10.0;  // the unknown piece scores this far below the lowest piece

Error unsupported(const std::string& source, const std::string& what) {
    return makeError(ErrorKind::Unsupported, source + ": " + what);
}

bool isSpaceByte(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
}  // namespace

Expected<UnigramTokenizer> UnigramTokenizer::fromJsonText(const std::string& text, const std::string& source) {
    json j;
    try {
        j = json::parse(text);
    } catch (const std::exception& e) {
        return makeError(ErrorKind::InvalidInput, source + ": invalid JSON (" + e.what() + ")");
    }
    return fromJson(j, source);
}

Expected<UnigramTokenizer> UnigramTokenizer::fromJson(const json& j, const std::string& source) {
    UnigramTokenizer t;
    try {
        const auto& model = j.at("model");
        if (model.value("type", std::string("Unigram")) != "Unigram")
            return unsupported(source, "tokenizer model '" + model.value("type", std::string()) + "' is not Unigram");
        const auto& vocab = model.at("vocab");
        if (!vocab.is_array() || vocab.empty()) return makeError(ErrorKind::InvalidInput, source + ": model.vocab is empty");
        double minScore = std::numeric_limits<double>::max();
        for (const auto& entry : vocab) {
            const auto piece = entry.at(0).get<std::string>();
            const double score = entry.at(1).get<double>();
            t.m_ids.emplace(piece, static_cast<int>(t.m_pieces.size()));
            t.m_pieces.push_back(piece);
            t.m_scores.push_back(score);
            t.m_maxPieceBytes = std::max(t.m_maxPieceBytes, piece.size());
            minScore = std::min(minScore, score);
        }
        t.m_unkScore = minScore - kUnkPenalty;
        if (model.contains("unk_id") && !model["unk_id"].is_null()) t.m_unk = jsonInt(model["unk_id"], 0, 10'000'000);
        if (t.m_unk >= t.vocabSize()) return makeError(ErrorKind::InvalidInput, source + ": unk_id is outside the vocabulary");
        t.m_byteFallback = model.value("byte_fallback", false);

        auto normalizer = TextNormalizer::fromJson(j.value("normalizer", json()), source);
        if (!normalizer) return normalizer.errorValue();
        t.m_normalizer = std::move(*normalizer);

        auto metaspace = [&](const json& p) -> Status {
            t.m_replacement = p.value("replacement", std::string("\xE2\x96\x81"));
            const std::string scheme = p.value("prepend_scheme", std::string(p.value("add_prefix_space", true) ? "always" : "never"));
            t.m_prepend = scheme == "first" ? Prepend::First : scheme == "never" ? Prepend::Never : Prepend::Always;
            t.m_split = p.value("split", true);
            return Status::ok();
        };
        const auto& pre = j.value("pre_tokenizer", json());
        const std::string preType = pre.is_object() ? pre.value("type", std::string()) : std::string();
        if (preType == "Metaspace") {
            metaspace(pre);
        } else if (preType == "Sequence" && pre.at("pretokenizers").size() == 2 &&
                   pre["pretokenizers"][0].value("type", std::string()) == "WhitespaceSplit" &&
                   pre["pretokenizers"][1].value("type", std::string()) == "Metaspace") {
            t.m_whitespaceSplit = true;
            metaspace(pre["pretokenizers"][1]);
        } else {
            return unsupported(source, "pre-tokenizer " + (pre.is_null() ? std::string("null") : "'" + preType + "'") +
                                           " is not supported with Unigram (Metaspace)");
        }

        for (const auto& a : j.value("added_tokens", json::array())) {
            AddedToken added{a.at("content").get<std::string>(), jsonInt(a.at("id"), 0, 10'000'000), a.value("lstrip", false),
                             a.value("rstrip", false), a.value("special", false)};
            if (added.content.empty() || added.id < 0 || added.id > 10'000'000) continue;
            if (added.id >= t.vocabSize()) {
                t.m_pieces.resize(static_cast<std::size_t>(added.id) + 1);
                t.m_scores.resize(static_cast<std::size_t>(added.id) + 1, minScore);
            }
            t.m_pieces[static_cast<std::size_t>(added.id)] = added.content;
            t.m_ids[added.content] = added.id;
            t.m_added.push_back(std::move(added));
        }

        const auto& post = j.value("post_processor", json());
        const std::string postType = post.is_object() ? post.value("type", std::string()) : std::string();
        auto readTemplate = [&](const json& items, std::vector<TemplateItem>& out) {
            for (const auto& item : items) {
                if (item.contains("SpecialToken")) {
                    out.push_back({item["SpecialToken"].at("id").get<std::string>(), 0, jsonInt(item["SpecialToken"].value("type_id", nlohmann::json(0)), 0, 1024)});
                } else {
                    const auto& s = item.at("Sequence");
                    out.push_back({std::string(), s.at("id").get<std::string>() == "B" ? 1 : 0, jsonInt(s.value("type_id", nlohmann::json(0)), 0, 1024)});
                }
            }
        };
        if (postType == "TemplateProcessing") {
            readTemplate(post.at("single"), t.m_single);
            readTemplate(post.at("pair"), t.m_pair);
        } else if (postType == "RobertaProcessing") {
            const auto cls = post.at("cls").at(0).get<std::string>(), sep = post.at("sep").at(0).get<std::string>();
            t.m_single = {{cls, 0, 0}, {"", 0, 0}, {sep, 0, 0}};
            t.m_pair = {{cls, 0, 0}, {"", 0, 0}, {sep, 0, 0}, {sep, 0, 0}, {"", 1, 0}, {sep, 0, 0}};
        } else if (!post.is_null()) {
            return unsupported(source, "post-processor '" + postType + "' is not supported with Unigram (TemplateProcessing)");
        }
        for (const auto& item : t.m_single)
            if (!item.special.empty() && t.idOf(item.special) < 0)
                return makeError(ErrorKind::InvalidInput, source + ": the template's token '" + item.special + "' is not in the vocabulary");
    } catch (const std::exception& e) {
        return makeError(ErrorKind::InvalidInput, source + ": unexpected value (" + e.what() + ")");
    }
    // The start and end tokens: the single template's first and last special tokens.
    for (const auto& item : t.m_single)
        if (!item.special.empty()) {
            if (t.m_cls < 0) t.m_cls = t.idOf(item.special);
            t.m_sep = t.idOf(item.special);
        }
    for (const char* m : {"<mask>", "[MASK]"})
        if (t.m_mask < 0) t.m_mask = t.idOf(m);
    for (const char* p : {"<pad>", "[PAD]"})
        if (t.m_pad < 0) t.m_pad = t.idOf(p);
    return t;
}

const std::string& UnigramTokenizer::tokenOf(int id) const {
    static const std::string none = "[?]";
    return id >= 0 && id < vocabSize() ? m_pieces[static_cast<std::size_t>(id)] : none;
}

int UnigramTokenizer::idOf(const std::string& token) const {
    const auto it = m_ids.find(token);
    return it == m_ids.end() ? -1 : it->second;
}

std::string UnigramTokenizer::labelOfEntry(const std::string& token) const {
    if (token.find(m_replacement) == std::string::npos) return {};
    for (const auto& a : m_added)
        if (a.content == token) return {};
    std::string label;
    for (std::size_t i = 0; i < token.size();) {
        if (token.compare(i, m_replacement.size(), m_replacement) == 0) {
            label += kWordStartMarker;
            i += m_replacement.size();
        } else {
            label += token[i++];
        }
    }
    return label;
}

void UnigramTokenizer::viterbi(const AlignedText& piece, std::vector<Token>& out) const {
    const auto cps = utf8::decode(piece.text);
    const std::size_t n = cps.size();
    struct Best {
        double score = -std::numeric_limits<double>::infinity();
        std::size_t from = 0;
        int id = -1;  // -1: unknown
    };
    std::vector<Best> best(n + 1);
    best[0].score = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (best[i].score == -std::numeric_limits<double>::infinity()) continue;
        bool single = false;
        const std::size_t begin = cps[i].byteBegin;
        for (std::size_t k = i; k < n && cps[k].byteEnd - begin <= m_maxPieceBytes; ++k) {
            const auto it = m_ids.find(piece.text.substr(begin, cps[k].byteEnd - begin));
            if (it == m_ids.end() || static_cast<std::size_t>(it->second) >= m_scores.size()) continue;
            if (k == i) single = true;
            const double score = best[i].score + m_scores[static_cast<std::size_t>(it->second)];
            if (score > best[k + 1].score) best[k + 1] = {score, i, it->second};
        }
        if (!single && best[i].score + m_unkScore > best[i + 1].score) best[i + 1] = {best[i].score + m_unkScore, i, -1};
    }
    // Back from the end, then in order; consecutive unknown characters become one <unk>.
    std::vector<std::pair<std::size_t, Best>> path;
    for (std::size_t at = n; at > 0; at = best[at].from) path.push_back({at, best[at]});
    std::reverse(path.begin(), path.end());
    bool lastUnknown = false;
    for (const auto& [end, step] : path) {
        const std::size_t b = cps[step.from].byteBegin, e = cps[end - 1].byteEnd;
        const auto spanBegin = piece.spans[b].first, spanEnd = piece.spans[e - 1].second;
        if (step.id < 0 && m_byteFallback) {
            bool all = true;
            std::vector<int> ids;
            for (std::size_t k = b; k < e && all; ++k) {
                char name[8];
                std::snprintf(name, sizeof name, "<0x%02X>", static_cast<unsigned char>(piece.text[k]));
                ids.push_back(idOf(name));
                all = ids.back() >= 0;
            }
            if (all) {
                for (int id : ids) out.push_back(Token{tokenOf(id), id, spanBegin, spanEnd, false, 0, {}});
                lastUnknown = false;
                continue;
            }
        }
        if (step.id < 0 && lastUnknown && m_fuseUnk) {
            out.back().byteEnd = std::max(out.back().byteEnd, spanEnd);
            continue;
        }
        const int id = step.id >= 0 ? step.id : m_unk;
        out.push_back(Token{step.id >= 0 ? m_pieces[static_cast<std::size_t>(id)] : tokenOf(id), id, spanBegin, spanEnd,
                            step.id < 0, 0, step.id >= 0 ? labelOfEntry(m_pieces[static_cast<std::size_t>(id)]) : std::string()});
        lastUnknown = step.id < 0;
    }
}

void UnigramTokenizer::encodeSegment(std::string_view text, std::size_t offset, std::vector<Token>& out) const {
    if (text.empty()) return;
    AlignedText normal = m_normalizer.apply(AlignedText::of(text, offset));
    // Words: the whole text, or its whitespace-separated words (WhitespaceSplit).
    std::vector<AlignedText> words;
    if (m_whitespaceSplit) {
        AlignedText word;
        for (std::size_t i = 0; i <= normal.text.size(); ++i) {
            if (i == normal.text.size() || isSpaceByte(normal.text[i])) {
                if (!word.text.empty()) words.push_back(std::move(word));
                word = {};
                continue;
            }
            word.append(std::string_view(normal.text).substr(i, 1), normal.spans[i].first, normal.spans[i].second);
        }
    } else {
        words.push_back(std::move(normal));
    }
    for (std::size_t w = 0; w < words.size(); ++w) {
        const auto& word = words[w];
        if (word.text.empty()) continue;
        // Metaspace: spaces become the replacement, one is prepended, and a piece starts at each.
        AlignedText meta;
        const bool prepend = m_prepend == Prepend::Always || (m_prepend == Prepend::First && offset == 0 && w == 0);
        if (prepend && word.text.compare(0, 1, " ") != 0 && word.text.compare(0, m_replacement.size(), m_replacement) != 0)
            meta.append(m_replacement, word.spans[0].first, word.spans[0].first);
        for (std::size_t i = 0; i < word.text.size(); ++i) {
            if (word.text[i] == ' ') meta.append(m_replacement, word.spans[i].first, word.spans[i].second);
            else meta.append(std::string_view(word.text).substr(i, 1), word.spans[i].first, word.spans[i].second);
        }
        std::size_t start = 0;
        for (std::size_t i = 1; i <= meta.text.size(); ++i) {
            const bool cut = i == meta.text.size() ||
                             (m_split && meta.text.compare(i, m_replacement.size(), m_replacement) == 0);
            if (!cut) continue;
            AlignedText piece;
            piece.text = meta.text.substr(start, i - start);
            piece.spans.assign(meta.spans.begin() + static_cast<std::ptrdiff_t>(start), meta.spans.begin() + static_cast<std::ptrdiff_t>(i));
            viterbi(piece, out);
            start = i;
        }
    }
}

std::vector<Token> UnigramTokenizer::encodeBody(std::string_view text, std::size_t offset) const {
    std::vector<Token> out;
    splitAtAddedTokens(
        text, m_added, [&](std::size_t begin, std::size_t end) { encodeSegment(text.substr(begin, end - begin), offset + begin, out); },
        [&](const AddedToken& a, std::size_t at) {
            out.push_back(Token{a.content, a.id, offset + at, offset + at + a.content.size(), a.special, 0, {}});
        });
    return out;
}

std::vector<Token> UnigramTokenizer::applyTemplate(const std::vector<TemplateItem>& items, std::vector<Token> a,
                                                   std::vector<Token> b, std::size_t endA, std::size_t endB) const {
    bool typed = false;
    for (const auto& item : items) typed = typed || item.typeId != 0;
    std::vector<Token> out;
    bool seenA = false, seenB = false, inB = false;
    int specialsAfterA = 0;
    for (const auto& item : items) {
        // Without type ids in the template, B's half begins at the second special token after A (or at B).
        inB = inB || (item.special.empty() && item.sequence == 1) || (seenA && !item.special.empty() && specialsAfterA >= 1);
        const int segment = typed ? item.typeId : inB ? 1 : 0;
        if (item.special.empty()) {
            auto& tokens = item.sequence == 0 ? a : b;
            for (auto& t : tokens) {
                t.segment = segment;
                out.push_back(std::move(t));
            }
            (item.sequence == 0 ? seenA : seenB) = true;
            continue;
        }
        const std::size_t at = seenB ? endB : seenA ? endA : 0;
        out.push_back(Token{item.special, idOf(item.special), at, at, true, segment, {}});
        if (seenA) ++specialsAfterA;
    }
    return out;
}

std::vector<Token> UnigramTokenizer::encode(std::string_view text, bool addSpecialTokens) const {
    auto body = encodeBody(text, 0);
    if (!addSpecialTokens || m_single.empty()) return body;
    return applyTemplate(m_single, std::move(body), {}, text.size(), text.size());
}

std::vector<Token> UnigramTokenizer::encodePair(std::string_view a, std::string_view b) const {
    const std::size_t shift = pairOffset(a);
    auto bodyA = encodeBody(a, 0), bodyB = encodeBody(b, shift);
    if (m_pair.empty()) {
        for (auto& t : bodyB) t.segment = 1;
        bodyA.insert(bodyA.end(), bodyB.begin(), bodyB.end());
        return bodyA;
    }
    return applyTemplate(m_pair, std::move(bodyA), std::move(bodyB), a.size(), shift + b.size());
}

}  // namespace ascope
