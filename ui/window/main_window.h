#pragma once
// Attention Scope's main window for text models: model picker, sentence box with examples,
// token strip (click to mask), and the attention, model, head and positional-encoding views.
#include <QMainWindow>
#include <QTimer>
#include <set>
#include <vector>

#include "session/text_session.h"

class QLabel;
class QLineEdit;
class QProgressBar;
class QSpinBox;
class QTabWidget;

namespace ascope::ui {

class AttentionPanel;
class AttentionArcWidget;
class ExportableView;
class HeadGridWidget;
class ImageModePanel;
class TrainingPanel;
class ModelMenus;
class PositionalEncodingPanel;
class PredictionChartWidget;
class TokenStripWidget;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a model folder in the mode its config.json asks for (text or image).
    void openModel(const QString& dir);
    void openImageModel(const QString& dir);
    void openImage(const QString& path);
    void setSentence(const QString& text);
    void toggleToken(int index);

    // For tests and scripted screenshots.
    TextSession& session() { return *m_session; }
    TokenStripWidget* tokenStrip() const { return m_strip; }
    AttentionPanel* attentionPanel() const { return m_attention; }
    PredictionChartWidget* predictions() const { return m_predictions; }
    HeadGridWidget* headGrid() const { return m_grid; }
    AttentionArcWidget* arcView() const { return m_arcs; }
    PositionalEncodingPanel* positionalPanel() const { return m_positional; }
    QTabWidget* tabs() const { return m_tabs; }
    QTabWidget* modes() const { return m_modes; }
    ImageModePanel* imagePanel() const { return m_image; }
    TrainingPanel* trainingPanel() const { return m_training; }
    TextAnalysisPtr analysis() const { return m_analysis; }
    QString messageText() const;
    ExportableView* currentExportable() const;
    QString sentenceSlug() const;

signals:
    void analysisShown();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void retokenize();
    void requestRun();
    void showAnalysis(TextAnalysisPtr analysis);
    void showMessage(const QString& text, bool error);
    void updateViewsForSelection();
    void exportFigure();
    void exportData();
    void copyFigure();
    void setDarkPalette(bool dark);
    void scaleFont(double factor);

    TextSession* m_session;
    QLineEdit* m_sentence;
    QSpinBox* m_topK;
    QProgressBar* m_busy;
    QLabel* m_modelLabel;
    QLabel* m_message;
    TokenStripWidget* m_strip;
    QTabWidget* m_tabs;
    QTabWidget* m_modes;
    ImageModePanel* m_image;
    TrainingPanel* m_training;
    AttentionPanel* m_attention;
    PredictionChartWidget* m_predictions;
    HeadGridWidget* m_grid;
    AttentionArcWidget* m_arcs;
    PositionalEncodingPanel* m_positional;
    ModelMenus* m_modelMenus = nullptr;
    QTimer m_debounce;

    std::vector<Token> m_tokens;
    std::set<int> m_masked;
    TextAnalysisPtr m_analysis;
    QString m_exportDir;
};

}  // namespace ascope::ui
