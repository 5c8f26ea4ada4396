#include "widgets/long_text_widget.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QToolButton>
#include <algorithm>

namespace ascope::ui {

LongTextWidget::LongTextWidget(QWidget* parent) : QWidget(parent) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_summary = new QLabel(this);
    m_mode = new QComboBox(this);
    m_mode->addItem(tr("Sliding windows"));
    m_mode->addItem(tr("Truncate"));
    m_mode->setToolTip(tr("Sliding windows: the text runs in overlapping windows, each [MASK] predicted by the window where it "
                          "sits most centrally.\nTruncate: the model reads only the first tokens, as Hugging Face's truncation=True."));
    m_window = new QSpinBox(this);
    m_window->setPrefix(tr("window "));
    m_window->setSuffix(tr(" tokens"));
    m_window->setToolTip(tr("Tokens per window, [CLS] and [SEP] included (max_length)"));
    m_stride = new QSpinBox(this);
    m_stride->setPrefix(tr("overlap "));
    m_stride->setToolTip(tr("Tokens two neighbouring windows share (Hugging Face's stride)"));
    m_previous = new QToolButton(this);
    m_previous->setArrowType(Qt::LeftArrow);
    m_previous->setToolTip(tr("Previous window (Shift+PgUp)"));
    m_next = new QToolButton(this);
    m_next->setArrowType(Qt::RightArrow);
    m_next->setToolTip(tr("Next window (Shift+PgDown)"));
    m_position = new QLabel(this);
    m_position->setToolTip(tr("The window the heatmaps and head views show; the predictions and labels are the whole text's"));
    layout->addWidget(m_summary);
    layout->addWidget(m_mode);
    layout->addWidget(m_window);
    layout->addWidget(m_stride);
    layout->addWidget(m_previous);
    layout->addWidget(m_position);
    layout->addWidget(m_next);
    layout->addStretch(1);
    setModelLimit(512);

    connect(m_mode, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        updatePosition();
        emit settingsChanged();
    });
    connect(m_window, qOverload<int>(&QSpinBox::valueChanged), this, [this](int window) {
        // The overlap must leave each window at least one new token.
        const QSignalBlocker block(m_stride);
        m_stride->setMaximum(std::max(0, window - 3));
        emit settingsChanged();
    });
    connect(m_stride, qOverload<int>(&QSpinBox::valueChanged), this, &LongTextWidget::settingsChanged);
    connect(m_previous, &QToolButton::clicked, this, [this] { stepWindow(-1); });
    connect(m_next, &QToolButton::clicked, this, [this] { stepWindow(1); });
}

void LongTextWidget::setModelLimit(int limit) {
    m_limit = std::max(3, limit);
    const int window = std::min(512, m_limit);
    setValues(window, window / 2);
}

void LongTextWidget::setWindowAndStride(int window, int stride) {
    const int oldWindow = m_window->value(), oldStride = m_stride->value();
    setValues(window, stride);
    if (m_window->value() != oldWindow || m_stride->value() != oldStride) emit settingsChanged();
}

void LongTextWidget::setValues(int window, int stride) {
    const QSignalBlocker blockWindow(m_window), blockStride(m_stride);
    m_window->setRange(3, m_limit);
    m_window->setValue(window);
    m_stride->setRange(0, std::max(0, m_window->value() - 3));
    m_stride->setValue(stride);
}

void LongTextWidget::setTextLength(int tokens) {
    m_summary->setText(tr("%1 tokens, longer than this model's %2:").arg(tokens).arg(m_limit));
}

LongTextWidget::Mode LongTextWidget::mode() const { return m_mode->currentIndex() == 1 ? Mode::Truncate : Mode::Windows; }

void LongTextWidget::setMode(Mode mode) { m_mode->setCurrentIndex(mode == Mode::Truncate ? 1 : 0); }

int LongTextWidget::window() const { return m_window->value(); }
int LongTextWidget::stride() const { return m_stride->value(); }

void LongTextWidget::setWindows(const std::vector<int>& firstToken, int windowTokens) {
    m_firstToken = firstToken;
    m_windowTokens = windowTokens;
    m_current = std::clamp(m_current, 0, std::max(0, windowCount() - 1));
    updatePosition();
}

void LongTextWidget::setTruncated(int kept) {
    m_kept = kept;
    m_firstToken.clear();
    updatePosition();
}

void LongTextWidget::setPair(bool pair) {
    if (pair == m_pair) return;
    m_pair = pair;
    {
        const QSignalBlocker block(m_mode);
        if (pair) {
            m_modeBeforePair = m_mode->currentIndex();
            m_mode->setCurrentIndex(1);
        } else {
            m_mode->setCurrentIndex(m_modeBeforePair);
        }
    }
    m_mode->setEnabled(!pair);
    updatePosition();
}

void LongTextWidget::setCurrentWindow(int index) {
    const int clamped = std::clamp(index, 0, std::max(0, windowCount() - 1));
    if (clamped == m_current) return;
    m_current = clamped;
    updatePosition();
    emit currentWindowChanged(m_current);
}

QString LongTextWidget::positionText() const {
    if (m_pair)
        return m_kept > 0 ? tr("the model reads %1 tokens: the start of each sentence, the longer cut first").arg(m_kept) : QString();
    if (mode() == Mode::Truncate) return m_kept > 0 ? tr("the model reads the first %1 tokens").arg(m_kept) : QString();
    if (m_firstToken.empty()) return {};
    const int first = m_firstToken[static_cast<std::size_t>(m_current)];
    return tr("window %1 of %2: tokens %3–%4").arg(m_current + 1).arg(windowCount()).arg(first).arg(first + m_windowTokens - 3);
}

void LongTextWidget::updatePosition() {
    const bool windows = mode() == Mode::Windows;
    m_window->setEnabled(windows);
    m_stride->setEnabled(windows);
    m_previous->setVisible(windows);
    m_next->setVisible(windows);
    m_previous->setEnabled(windows && m_current > 0);
    m_next->setEnabled(windows && m_current + 1 < windowCount());
    m_position->setText(positionText());
}

}  // namespace ascope::ui
