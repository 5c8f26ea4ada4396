#pragma once
// The "head view" in the style of bertviz: tokens in two columns (left attends to right), lines
// weighted by attention; hovering a token highlights only its lines.
#include <QStringList>
#include <QWidget>
#include <vector>

#include "export/exportable_view.h"

namespace ascope::ui {

class AttentionArcWidget : public QWidget, public ExportableView {
    Q_OBJECT
public:
    explicit AttentionArcWidget(QWidget* parent = nullptr);
    // weights: [n][n] row-major, row = query (left), column = key (right).
    void setAttention(const QStringList& tokens, const std::vector<float>& weights, const QString& title);
    void setHoveredToken(int index);  // -1: none
    void setExportBaseName(const QString& name) { m_exportName = name; }

    void renderExport(QPainter& painter, const QSize& size) override;
    QSize exportSize() const override;
    QString exportBaseName() const override { return m_exportName; }
    QSize sizeHint() const override { return {500, 600}; }

protected:
    void paintEvent(QPaintEvent*) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent*) override;

private:
    void paintArcs(QPainter& p, const QSize& size) const;
    double rowHeight(const QSize& size) const;

    QStringList m_tokens;
    std::vector<float> m_weights;
    QString m_title;
    int m_hover = -1;
    QString m_exportName = QStringLiteral("head_view");
};

}  // namespace ascope::ui
