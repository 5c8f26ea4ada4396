#pragma once
// What each head does, as layers x heads colour grids with a sortable ranked table beside them:
// head importance for a [MASK] (the drop in its answer's probability when the head alone is
// switched off; computed on demand on the worker, with progress and cancel) and the head
// statistics (entropy, mean distance, shares of [CLS], [SEP], self, previous, next, punctuation).
// Clicking a cell or a row chooses that head (headChosen).
#include <QElapsedTimer>
#include <QWidget>

#include "analysis/head_statistics.h"
#include "session/text_session.h"

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace ascope::ui {

class HeatmapPlotWidget;

class HeadsPanel : public QWidget {
    Q_OBJECT
public:
    enum class Measure { Importance, Entropy, Distance, Cls, Sep, Self, Previous, Next, Punctuation };

    explicit HeadsPanel(QWidget* parent = nullptr);
    void setAnalysis(TextAnalysisPtr analysis);
    // Image models: importance only (of the top class), for a model of this shape.
    void setImportanceOnly(int layers, int heads);
    // A finished importance run (null: none, e.g. after the sentence changed).
    void setImportance(HeadImportancePtr importance);
    void setImportanceRunning(bool running);
    void setImportanceProgress(int done, int total);
    void setImportanceError(const QString& message);
    void setMeasure(Measure measure);
    Measure measure() const;

    HeatmapPlotWidget* grid() const { return m_grid; }
    // Whose answer the importance grid shows (a [MASK], the sentence, an entity token).
    QComboBox* answerBox() const { return m_mask; }
    QTableWidget* table() const { return m_table; }
    QPushButton* importanceButton() const { return m_compute; }
    QString statusText() const;
    // The value of the shown measure for one head (NaN when there is none).
    double valueOf(int layer, int head) const;

signals:
    void headChosen(int layer, int head);
    void importanceRequested();
    void importanceCancelRequested();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void refresh();
    // The head statistics of the analysis shown, computed when first needed (not for every
    // analysis while the tab is hidden: 20 ms for BERT-base at 128 tokens).
    const std::vector<HeadStatistics>& stats() const;

    TextAnalysisPtr m_analysis;
    mutable std::vector<HeadStatistics> m_stats;
    mutable bool m_statsStale = true;  // m_stats is not yet the shown analysis's
    HeadImportancePtr m_importance;
    QElapsedTimer m_clock;
    int m_layers = 0, m_heads = 0;
    bool m_importanceOnly = false;
    QLabel* m_showLabel;
    QComboBox* m_measure;
    QComboBox* m_mask;
    QPushButton* m_compute;
    QPushButton* m_cancel;
    QProgressBar* m_progress;
    QLabel* m_status;
    HeatmapPlotWidget* m_grid;
    QTableWidget* m_table;
};

}  // namespace ascope::ui
