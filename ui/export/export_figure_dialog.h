#pragma once
// Asks where to save a figure and at what size and scale (PNG/SVG/PDF by extension).
#include <QDialog>

class QLineEdit;
class QSpinBox;
class QComboBox;

namespace ascope::ui {

class ExportableView;

class ExportFigureDialog : public QDialog {
    Q_OBJECT
public:
    ExportFigureDialog(ExportableView& view, const QString& directory, QWidget* parent = nullptr);
    QString path() const;
    QSize figureSize() const;
    double scale() const;
    // Runs the dialog and saves; returns an error message, "" on success or when cancelled.
    static QString run(ExportableView& view, const QString& directory, QWidget* parent);

private:
    QLineEdit* m_path;
    QSpinBox* m_width;
    QSpinBox* m_height;
    QComboBox* m_scale;
};

}  // namespace ascope::ui
