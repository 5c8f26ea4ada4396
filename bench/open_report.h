#pragma once
// attention-scope-bench's reports on opening models (see open_report.cpp).
namespace ascope::bench {

// Open time, first forward, peak and settled resident memory for BERT-base (float32, float16,
// bfloat16) and BERT-large, each opened `runs` times in a fresh process.
int openReport(int runs);
// Resident memory while the app's session swaps a BERT-large model for a BERT-base one.
int memoryReport();

}  // namespace ascope::bench
