// libFuzzer target: the WordPiece tokenizer on arbitrary bytes (invalid UTF-8, control and
// combining characters, CJK, very long words), and vocab.txt parsing. The first byte picks the
// tokenizer options; the rest is the text (or, with the top bit set, a vocabulary file).
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_input_file.h"
#include "tokenizer/bert_tokenizer.h"

namespace {
ascope::Vocab fixedVocab() {
    std::vector<std::string> tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "##s", "sat",
                                       "on", "mat", ".", ",", "un", "##aff", "##able", "é", "中", "##ing", "a"};
    for (char c = 'a'; c <= 'z'; ++c) tokens.push_back(std::string("##") + c);
    return ascope::Vocab::fromTokens(tokens);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t flags = data[0];
    if (flags & 0x80) {
        const ascope::fuzz::InputFile file(data + 1, size - 1);
        auto vocab = ascope::Vocab::fromFile(file.path());
        if (vocab) (void)vocab->idOf("[MASK]");
        return 0;
    }
    static const ascope::Vocab vocab = fixedVocab();
    ascope::TokenizerConfig config;
    config.doLowerCase = flags & 1;
    config.tokenizeChineseChars = flags & 2;
    config.stripAccents = static_cast<ascope::TokenizerConfig::StripAccents>((flags >> 2) % 3);
    const ascope::BertTokenizer tokenizer(vocab, config);
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    const auto tokens = tokenizer.encode(text);
    for (const auto& t : tokens)
        if (t.byteEnd < t.byteBegin || t.byteEnd > text.size()) __builtin_trap();  // spans stay inside the text
    return 0;
}
