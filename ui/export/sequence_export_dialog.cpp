#include "export/sequence_export_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QImageWriter>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

namespace ascope::ui {

QString SequenceExportDialog::animatedFormats() {
    QStringList formats = {QStringLiteral("animated PNG (built in)")};
    const auto writable = QImageWriter::supportedImageFormats();
    for (const char* f : {"gif", "webp"})
        if (writable.contains(f)) formats << QStringLiteral("%1 (a Qt plugin; single frames only)").arg(QString::fromLatin1(f).toUpper());
    return formats.join(QStringLiteral(", "));
}

SequenceExportDialog::SequenceExportDialog(const QString& folder, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Export a Sequence of Figures"));
    m_axis = new QComboBox(this);
    m_axis->addItem(tr("Every layer (this head)"), static_cast<int>(SequenceAxis::Layers));
    m_axis->addItem(tr("Every head of this layer"), static_cast<int>(SequenceAxis::HeadsOfLayer));
    m_output = new QComboBox(this);
    m_output->addItem(tr("Numbered PNG files"), static_cast<int>(SequenceOutput::NumberedPng));
    m_output->addItem(tr("Numbered SVG files"), static_cast<int>(SequenceOutput::NumberedSvg));
    m_output->addItem(tr("One contact sheet (PNG)"), static_cast<int>(SequenceOutput::ContactSheet));
    m_output->addItem(tr("Animated PNG"), static_cast<int>(SequenceOutput::AnimatedPng));
    m_delay = new QSpinBox(this);
    m_delay->setRange(100, 10000);
    m_delay->setSingleStep(100);
    m_delay->setValue(800);
    m_delay->setSuffix(tr(" ms per frame"));
    m_folder = new QLineEdit(folder, this);
    auto* browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder for the figures"), m_folder->text());
        if (!dir.isEmpty()) m_folder->setText(dir);
    });
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folder, 1);
    folderRow->addWidget(browse);
    auto* note = new QLabel(tr("Animated formats here: %1.").arg(animatedFormats()), this);
    note->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* form = new QFormLayout(this);
    form->addRow(tr("&Step through"), m_axis);
    form->addRow(tr("&Write"), m_output);
    form->addRow(tr("&Frame time"), m_delay);
    form->addRow(tr("&Folder"), folderRow);
    form->addRow(note);
    form->addRow(buttons);
    const auto updateDelay = [this] { m_delay->setEnabled(m_output->currentData().toInt() == static_cast<int>(SequenceOutput::AnimatedPng)); };
    connect(m_output, &QComboBox::currentIndexChanged, this, updateDelay);
    updateDelay();
}

SequenceRequest SequenceExportDialog::request() const {
    SequenceRequest r;
    r.axis = static_cast<SequenceAxis>(m_axis->currentData().toInt());
    r.output = static_cast<SequenceOutput>(m_output->currentData().toInt());
    r.delayMs = m_delay->value();
    r.folder = m_folder->text();
    return r;
}

}  // namespace ascope::ui
