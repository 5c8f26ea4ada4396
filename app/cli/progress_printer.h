#pragma once
// A terminal progress bar for training (redrawn in place on a TTY, one line per interval otherwise).
#include "training/training_progress.h"

namespace ascope::cli {

class ProgressPrinter {
public:
    explicit ProgressPrinter(const char* itemName);
    void print(const TrainProgress& p);
    void finish();

private:
    const char* m_itemName;
    bool m_tty;
    int m_lastLogged = 0;
};

}  // namespace ascope::cli
