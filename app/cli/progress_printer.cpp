#include "cli/progress_printer.h"

#include <cstdio>
#include <string>
#include <unistd.h>

namespace ascope::cli {

namespace {
std::string clock(double seconds) {
    const long s = static_cast<long>(seconds);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    return buf;
}
// " val 93.2%" once a fine-tuning run has validated.
std::string validation(const TrainProgress& p) {
    if (p.validationAccuracy < 0) return {};
    char buf[32];
    std::snprintf(buf, sizeof buf, " val %.1f%%", 100 * p.validationAccuracy);
    return buf;
}
}  // namespace

ProgressPrinter::ProgressPrinter(const char* itemName) : m_itemName(itemName), m_tty(::isatty(2) != 0) {}

void ProgressPrinter::print(const TrainProgress& p) {
    const double frac = p.totalSteps > 0 ? static_cast<double>(p.step) / p.totalSteps : 0;
    if (m_tty) {
        const int width = 30, filled = static_cast<int>(frac * width);
        std::string bar(static_cast<std::size_t>(filled), '#');
        bar.append(static_cast<std::size_t>(width - filled), '.');
        std::fprintf(stderr, "\r[%s] %d/%d loss %.3f acc %.1f%%%s %.0f %s/s ETA %s ", bar.c_str(), p.step, p.totalSteps,
                     p.loss, 100 * p.accuracy, validation(p).c_str(), p.itemsPerSecond, m_itemName, clock(p.etaSeconds).c_str());
    } else if (p.step - m_lastLogged >= std::max(1, p.totalSteps / 100) || p.step == p.totalSteps) {
        m_lastLogged = p.step;
        std::fprintf(stderr, "step %d/%d loss %.4f acc %.2f%%%s lr %.2e %.0f %s/s ETA %s\n", p.step, p.totalSteps,
                     p.loss, 100 * p.accuracy, validation(p).c_str(), p.learningRate, p.itemsPerSecond, m_itemName,
                     clock(p.etaSeconds).c_str());
    }
    std::fflush(stderr);
}

void ProgressPrinter::finish() {
    if (m_tty) std::fputc('\n', stderr);
}

}  // namespace ascope::cli
