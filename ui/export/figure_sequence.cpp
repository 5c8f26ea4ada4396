#include "export/figure_sequence.h"

#include <QCoreApplication>
#include <QDir>
#include <QPainter>
#include <cmath>

#include "export/animated_png_writer.h"
#include "export/exportable_view.h"
#include "export/figure_exporter.h"
#include "panels/attention_panel.h"
#include "panels/text_mode_panel.h"

namespace ascope::ui {

namespace {
QString tr(const char* text) { return QCoreApplication::translate("FigureSequence", text); }

// Restores the attention panel's selection and aggregation when the sequence is done.
class SelectionGuard {
public:
    explicit SelectionGuard(AttentionPanel& panel)
        : m_panel(panel), m_layer(panel.layer()), m_head(panel.head()), m_aggregation(panel.aggregation()) {}
    ~SelectionGuard() {
        m_panel.setSelection(m_layer, m_head);
        m_panel.setAggregation(m_aggregation);
    }
    SelectionGuard(const SelectionGuard&) = delete;
    SelectionGuard& operator=(const SelectionGuard&) = delete;
    int layer() const { return m_layer; }
    int head() const { return m_head; }
    HeadAggregation aggregation() const { return m_aggregation; }

private:
    AttentionPanel& m_panel;
    int m_layer, m_head;
    HeadAggregation m_aggregation;
};
}  // namespace

bool viewHasSequence(const TextModePanel& text) {
    const auto view = text.currentView();
    return view == TextModePanel::View::Attention || view == TextModePanel::View::HeadView ||
           view == TextModePanel::View::OneHead;
}

QImage contactSheet(const std::vector<QImage>& frames, const QStringList& labels, int columns) {
    if (frames.empty() || columns <= 0) return {};
    QSize cell(0, 0);
    for (const auto& f : frames) cell = cell.expandedTo(f.size());
    const int labelHeight = 28, gap = 12;
    const int n = static_cast<int>(frames.size()), rows = (n + columns - 1) / columns;
    QImage sheet((cell.width() + gap) * columns + gap, (cell.height() + labelHeight + gap) * rows + gap, QImage::Format_RGB32);
    sheet.fill(Qt::white);
    QPainter painter(&sheet);
    QFont font = painter.font();
    font.setPixelSize(16);
    font.setBold(true);
    painter.setFont(font);
    for (int i = 0; i < n; ++i) {
        const int x = gap + (i % columns) * (cell.width() + gap), y = gap + (i / columns) * (cell.height() + labelHeight + gap);
        const QImage& f = frames[static_cast<std::size_t>(i)];
        painter.drawImage(QRect(QPoint(x, y), f.size()), f);
        painter.drawText(QRect(x, y + cell.height(), cell.width(), labelHeight), Qt::AlignCenter, labels.value(i));
    }
    return sheet;
}

QString exportSequence(TextModePanel& text, const SequenceRequest& r, QStringList* written) {
    const auto analysis = text.analysis();
    if (!analysis) return tr("nothing to export yet: the model has not analysed a sentence");
    if (!viewHasSequence(text))
        return tr("this view shows every layer at once, or none: choose the attention heatmap, the head view or one head "
                  "step by step");
    if (!QDir().mkpath(r.folder)) return tr("cannot create the folder %1").arg(r.folder);
    AttentionPanel& attention = *text.attentionPanel();
    const SelectionGuard guard(attention);
    const int count = r.axis == SequenceAxis::Layers ? analysis->attention.layers : analysis->attention.heads;
    std::vector<QImage> frames;
    QStringList labels;
    QString firstBase;
    for (int i = 0; i < count; ++i) {
        if (r.axis == SequenceAxis::Layers) {
            attention.setSelection(i, guard.head());
            attention.setAggregation(guard.aggregation());  // a mean or rollout stays one, layer by layer
            labels << tr("Layer %1").arg(i);
        } else {
            attention.setSelection(guard.layer(), i);
            labels << tr("Layer %1, head %2").arg(guard.layer()).arg(i);
        }
        ExportableView* view = text.currentExportable();
        const QString base = QStringLiteral("%1_%2").arg(i + 1, 2, 10, QLatin1Char('0')).arg(view->exportBaseName());
        if (firstBase.isEmpty()) firstBase = view->exportBaseName();
        const QString stem = QDir(r.folder).filePath(base);
        if (r.output == SequenceOutput::NumberedSvg) {
            if (QString e = saveFigure(*view, stem + QStringLiteral(".svg"), view->exportSize(), 1.0); !e.isEmpty()) return e;
            if (written) *written << stem + QStringLiteral(".svg");
            continue;
        }
        QImage frame = renderFigure(*view, view->exportSize(), r.scale);
        if (r.output == SequenceOutput::NumberedPng) {
            if (!frame.save(stem + QStringLiteral(".png"))) return tr("cannot write %1.png").arg(stem);
            if (written) *written << stem + QStringLiteral(".png");
        } else {
            frames.push_back(std::move(frame));
        }
    }
    const QString what = r.axis == SequenceAxis::Layers ? QStringLiteral("layers") : QStringLiteral("heads");
    if (r.output == SequenceOutput::ContactSheet) {
        const int columns = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(frames.size()))));
        const QString path = QDir(r.folder).filePath(QStringLiteral("%1_%2_sheet.png").arg(firstBase, what));
        if (!contactSheet(frames, labels, columns).save(path)) return tr("cannot write %1").arg(path);
        if (written) *written << path;
    } else if (r.output == SequenceOutput::AnimatedPng) {
        const QString path = QDir(r.folder).filePath(QStringLiteral("%1_%2_animated.png").arg(firstBase, what));
        if (QString e = writeAnimatedPng(path, frames, r.delayMs); !e.isEmpty()) return e;
        if (written) *written << path;
    }
    return {};
}

}  // namespace ascope::ui
