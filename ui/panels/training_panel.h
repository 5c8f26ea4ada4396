#pragma once
// The Train view: pick a corpus (a text file or the built-in one) or the shapes data set and a
// size preset, start / pause / stop, and watch loss and accuracy, throughput and ETA live, with
// a probe sentence (or image) re-analysed at every checkpoint; a slider goes back through the
// snapshots. The result opens in the explorer with one click.
#include <QWidget>
#include <vector>

#include "session/training_worker.h"

class QComboBox;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QLabel;
class QSlider;
class QFormLayout;
class QCustomPlot;

namespace ascope::ui {

class HeatmapPlotWidget;
class ImageOverlayWidget;
class PredictionChartWidget;

class TrainingPanel : public QWidget {
    Q_OBJECT
public:
    enum class Task { MaskedLanguageModel, ShapesClassifier, SentenceLabels, TokenLabels };
    enum class Preset { Tiny, Small };

    explicit TrainingPanel(QWidget* parent = nullptr);
    TrainingWorker& worker() { return *m_worker; }
    bool isTraining() const { return m_worker->isRunning(); }
    void setCorpusPath(const QString& path);  // the corpus, or the labelled data when fine-tuning
    void setBaseModel(const QString& dir);     // fine-tuning: the checkpoint to start from
    void setEpochs(int epochs);
    void setOutputDir(const QString& dir);
    void setSteps(int steps);
    void setTask(Task task);
    void setPreset(Preset preset);
    void start();
    int snapshotCount() const { return static_cast<int>(m_snapshots.size()); }
    int plottedPoints() const;
    QString statusText() const;
    // Fine-tuning: the held-out accuracy points plotted so far.
    int validationPoints() const;

signals:
    void openResult(const QString& dir);

private:
    void onProgress(double step, double total, double loss, double accuracy, double rate, double eta);
    void onSnapshot(const TrainingSnapshot& snapshot);
    void showSnapshot(int index);
    void setRunning(bool running);
    void updateTaskFields();
    bool fineTuning() const { return task() == Task::SentenceLabels || task() == Task::TokenLabels; }
    Task task() const;
    Preset preset() const;

    TrainingWorker* m_worker;
    QComboBox* m_task;
    QLineEdit* m_corpus;
    QComboBox* m_preset;
    QSpinBox* m_steps;
    QLineEdit* m_baseModel;
    QSpinBox* m_epochs;
    QLabel* m_corpusLabel;
    QLineEdit* m_out;
    QLineEdit* m_probe;
    QPushButton* m_start;
    QPushButton* m_pause;
    QPushButton* m_stop;
    QPushButton* m_open;
    QLabel* m_status;
    QFormLayout* m_form;
    int m_baseModelRow = 0, m_corpusRow = 0;
    QCustomPlot* m_plot;
    QSlider* m_snapshotSlider;
    QLabel* m_snapshotLabel;
    HeatmapPlotWidget* m_heatmap;
    ImageOverlayWidget* m_overlay;
    PredictionChartWidget* m_chart;
    std::vector<TrainingSnapshot> m_snapshots;
    QString m_lastOut;
};

}  // namespace ascope::ui
