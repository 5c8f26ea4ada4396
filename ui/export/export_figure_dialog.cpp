#include "export/export_figure_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

#include "export/figure_exporter.h"

namespace ascope::ui {

ExportFigureDialog::ExportFigureDialog(ExportableView& view, const QString& directory, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Export Figure"));
    auto* form = new QFormLayout(this);
    m_path = new QLineEdit(QDir(directory).filePath(view.exportBaseName() + ".png"), this);
    auto* browse = new QPushButton(tr("Browse…"), this);
    auto* row = new QHBoxLayout;
    row->addWidget(m_path, 1);
    row->addWidget(browse);
    form->addRow(tr("&File (.png, .svg, .pdf):"), row);
    const QSize natural = view.exportSize();
    m_width = new QSpinBox(this);
    m_height = new QSpinBox(this);
    for (auto* s : {m_width, m_height}) {
        s->setRange(16, 20000);
        s->setSuffix(tr(" px"));
    }
    m_width->setValue(natural.width());
    m_height->setValue(natural.height());
    form->addRow(tr("&Width:"), m_width);
    form->addRow(tr("&Height:"), m_height);
    m_scale = new QComboBox(this);
    for (int factor = 1; factor <= 4; ++factor) m_scale->addItem(QStringLiteral("%1x").arg(factor), factor);
    m_scale->setCurrentIndex(m_scale->findData(2));
    m_scale->setToolTip(tr("Pixel density of PNG files (2x for slides and high-DPI screens)"));
    form->addRow(tr("PNG &scale:"), m_scale);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString p = QFileDialog::getSaveFileName(this, tr("Export Figure"), m_path->text(),
                                                       tr("Images (*.png *.svg *.pdf)"));
        if (!p.isEmpty()) m_path->setText(p);
    });
}

QString ExportFigureDialog::path() const { return m_path->text(); }
QSize ExportFigureDialog::figureSize() const { return {m_width->value(), m_height->value()}; }
double ExportFigureDialog::scale() const { return m_scale->currentData().toDouble(); }

QString ExportFigureDialog::run(ExportableView& view, const QString& directory, QWidget* parent) {
    ExportFigureDialog dialog(view, directory, parent);
    if (dialog.exec() != QDialog::Accepted) return {};
    return saveFigure(view, dialog.path(), dialog.figureSize(), dialog.scale());
}

}  // namespace ascope::ui
