#pragma once
// The bar text mode shows when the text is longer than the model takes (the deck's sliding-window
// slide): how long it is, the choice between overlapping windows and truncation, the window and
// stride (Hugging Face's max_length and stride; default 512/256 or the model's maximum), and, after
// a windowed run, which window the views show with buttons to step through them.
#include <QWidget>
#include <algorithm>
#include <vector>

class QComboBox;
class QLabel;
class QSpinBox;
class QToolButton;

namespace ascope::ui {

class LongTextWidget : public QWidget {
    Q_OBJECT
public:
    enum class Mode { Windows, Truncate };

    explicit LongTextWidget(QWidget* parent = nullptr);
    // The longest input the open model takes (tokens, start and end included); resets the window
    // to min(512, limit) and the stride to half of it.
    void setModelLimit(int limit);
    // The text's length in tokens (start and end included), for the summary.
    void setTextLength(int tokens);
    Mode mode() const;
    void setMode(Mode mode);
    int window() const;
    int stride() const;
    // Emits settingsChanged when either changes.
    void setWindowAndStride(int window, int stride);
    // After a windowed run: each window's first text token (an index into the whole text's tokens)
    // and its tokens (start and end included). Keeps the current window when it still exists.
    void setWindows(const std::vector<int>& firstToken, int windowTokens);
    // After a truncated run: how many of the text's tokens the model read.
    void setTruncated(int kept);
    // A sentence pair: only truncation (longest first) applies; the mode shows it and is locked,
    // and the single text's choice comes back when the pair goes.
    void setPair(bool pair);
    bool isPair() const { return m_pair; }
    int windowCount() const { return static_cast<int>(m_firstToken.size()); }
    int currentWindow() const { return m_current; }
    // Shows window `index` (clamped); emits currentWindowChanged when it changes.
    void setCurrentWindow(int index);
    void stepWindow(int delta) { setCurrentWindow(m_current + delta); }
    // The window the next windowed run shows (a session restored before its run), clamped then.
    void setPendingWindow(int index) { m_current = std::max(0, index); }
    QString positionText() const;

signals:
    // The mode, window or stride changed: the text has to run again.
    void settingsChanged();
    void currentWindowChanged(int index);

private:
    void updatePosition();
    void setValues(int window, int stride);

    QLabel* m_summary;
    QComboBox* m_mode;
    QSpinBox* m_window;
    QSpinBox* m_stride;
    QToolButton* m_previous;
    QToolButton* m_next;
    QLabel* m_position;
    std::vector<int> m_firstToken;
    int m_windowTokens = 0;
    int m_current = 0;
    int m_kept = 0;
    int m_limit = 0;
    bool m_pair = false;
    int m_modeBeforePair = 0;
};

}  // namespace ascope::ui
