#pragma once
// Character classes and normalisation steps of BERT's text normaliser, on Unicode code points.
#include <string>

namespace ascope::unicode {

bool isControl(char32_t cp);      // category C*, except \t \n \r
bool isWhitespace(char32_t cp);   // ' ', \t, \n, \r and the Z* separators
bool isPunctuation(char32_t cp);  // every non-alphanumeric ASCII symbol, and category P*
bool isChineseChar(char32_t cp);  // the CJK blocks BERT splits into single characters
bool isCased(char32_t cp);        // Lu, Ll, Lt
bool isCaseIgnorable(char32_t cp);

// Full lower-casing of one code point. `finalSigma` selects the word-final form of capital sigma.
std::u32string toLower(char32_t cp, bool finalSigma);
// Canonical decomposition (NFD) of one code point with the non-spacing marks (Mn) removed.
std::u32string stripAccents(char32_t cp);

}  // namespace ascope::unicode
