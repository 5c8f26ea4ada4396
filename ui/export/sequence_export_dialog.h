#pragma once
// File > Export Sequence: what to step through (every layer, or every head of this layer), what
// to write (numbered PNG or SVG files, one contact sheet, an animated PNG), the frame time, and
// the folder. Says which animated formats this installation can write.
#include <QDialog>

#include "export/figure_sequence.h"

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace ascope::ui {

class SequenceExportDialog : public QDialog {
    Q_OBJECT
public:
    SequenceExportDialog(const QString& folder, QWidget* parent = nullptr);
    SequenceRequest request() const;
    // The animated formats available: APNG always (built in), GIF or WebP when a Qt plugin writes them.
    static QString animatedFormats();

private:
    QComboBox* m_axis;
    QComboBox* m_output;
    QSpinBox* m_delay;
    QLineEdit* m_folder;
};

}  // namespace ascope::ui
