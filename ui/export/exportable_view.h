#pragma once
// Anything the user can save as PNG/SVG/PDF or copy: it renders itself onto any QPainter.
#include <QPainter>
#include <QSize>
#include <QString>

namespace ascope::ui {

class ExportableView {
public:
    virtual ~ExportableView() = default;
    virtual void renderExport(QPainter& painter, const QSize& size) = 0;
    virtual QSize exportSize() const = 0;      // the natural size in logical pixels
    virtual QString exportBaseName() const = 0;  // e.g. "attention_L3_H5_the-cat-sat"
};

}  // namespace ascope::ui
