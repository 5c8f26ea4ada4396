#include "panels/training_panel.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include "analysis/attention_views.h"
#include "analysis/patch_attention.h"
#include "io/image_file_reader.h"
#include "training/shapes_dataset.h"
#include "util/resource_paths.h"
#include "widgets/heatmap_plot_widget.h"
#include "widgets/image_overlay_widget.h"
#include "widgets/prediction_chart_widget.h"

namespace ascope::ui {

namespace {
QString builtinCorpus() { return QString::fromStdString(builtinDataFile("corpus/demo-corpus-sample.txt")); }
QString builtinSentiment() { return QString::fromStdString(builtinDataFile("data/sentiment-demo.tsv")); }
}  // namespace

TrainingPanel::TrainingPanel(QWidget* parent) : QWidget(parent), m_worker(new TrainingWorker(this)) {
    auto* outer = new QHBoxLayout(this);
    auto* left = new QWidget(this);
    auto* form = new QFormLayout(left);
    m_form = form;
    m_task = new QComboBox(left);
    m_task->addItem(tr("Masked language model (BERT) on a corpus"), static_cast<int>(Task::MaskedLanguageModel));
    m_task->addItem(tr("Image classifier (ViT) on generated shapes"), static_cast<int>(Task::ShapesClassifier));
    m_task->addItem(tr("Fine-tune for sentence labels (e.g. sentiment)"), static_cast<int>(Task::SentenceLabels));
    m_task->addItem(tr("Fine-tune for token labels (e.g. named entities)"), static_cast<int>(Task::TokenLabels));
    form->addRow(tr("&Task:"), m_task);
    m_baseModel = new QLineEdit(QString::fromStdString(builtinModelDir("demo-bert")), left);
    m_baseModel->setToolTip(tr("The checkpoint to fine-tune (a Hugging Face folder of BERT, DistilBERT, ALBERT, RoBERTa or XLM-R); its head is replaced by a classifier"));
    auto* browseModel = new QPushButton(tr("…"), left);
    browseModel->setToolTip(tr("Choose a model folder"));
    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(m_baseModel, 1);
    modelRow->addWidget(browseModel);
    m_baseModelRow = form->rowCount();
    auto* modelLabel = new QLabel(tr("&Base model:"), left);
    modelLabel->setBuddy(m_baseModel);
    form->addRow(modelLabel, modelRow);
    m_corpus = new QLineEdit(builtinCorpus(), left);
    m_corpus->setPlaceholderText(tr("A plain-text file, one sentence per line"));
    auto* browse = new QPushButton(tr("…"), left);
    browse->setToolTip(tr("Choose a corpus file"));
    auto* corpusRow = new QHBoxLayout;
    corpusRow->addWidget(m_corpus, 1);
    corpusRow->addWidget(browse);
    m_corpusLabel = new QLabel(tr("&Corpus:"), left);
    m_corpusLabel->setBuddy(m_corpus);
    m_corpusRow = form->rowCount();
    form->addRow(m_corpusLabel, corpusRow);
    m_preset = new QComboBox(left);
    m_preset->addItem(tr("Tiny (2 layers, fast)"), static_cast<int>(Preset::Tiny));
    m_preset->addItem(tr("Small (4 layers)"), static_cast<int>(Preset::Small));
    form->addRow(tr("&Size:"), m_preset);
    m_steps = new QSpinBox(left);
    m_steps->setRange(1, 1000000);
    m_steps->setValue(600);
    form->addRow(tr("S&teps:"), m_steps);
    m_epochs = new QSpinBox(left);
    m_epochs->setRange(1, 1000);
    m_epochs->setValue(3);
    m_epochs->setToolTip(tr("Passes over the training share of the data (a tenth is held out for validation)"));
    form->addRow(tr("&Epochs:"), m_epochs);
    m_out = new QLineEdit(QDir(QDir::tempPath()).filePath(QStringLiteral("attention-scope-training")), left);
    form->addRow(tr("&Output folder:"), m_out);
    m_probe = new QLineEdit(QStringLiteral("The [MASK] is shining brightly in the sky."), left);
    m_probe->setToolTip(tr("Re-analysed at every checkpoint, so you can watch predictions and heads form"));
    form->addRow(tr("&Probe sentence:"), m_probe);
    auto* buttons = new QHBoxLayout;
    m_start = new QPushButton(tr("&Start"), left);
    m_pause = new QPushButton(tr("&Pause"), left);
    m_pause->setCheckable(true);
    m_stop = new QPushButton(tr("St&op"), left);
    m_open = new QPushButton(tr("Open in &explorer"), left);
    m_open->setToolTip(tr("Open the trained model in the text or image explorer"));
    for (auto* b : {m_start, m_pause, m_stop, m_open}) buttons->addWidget(b);
    form->addRow(buttons);
    m_status = new QLabel(tr("Idle"), left);
    m_status->setWordWrap(true);
    form->addRow(m_status);
    m_plot = new QCustomPlot(left);
    m_plot->setMinimumSize(320, 300);
    m_plot->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    m_plot->addGraph(m_plot->xAxis, m_plot->yAxis)->setName(tr("loss"));
    m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2)->setName(tr("accuracy"));
    m_plot->graph(0)->setPen(QPen(QColor(214, 39, 40), 2));
    m_plot->graph(1)->setPen(QPen(QColor(31, 119, 180), 2));
    m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2)->setName(tr("validation accuracy"));
    m_plot->graph(2)->setPen(QPen(QColor(44, 160, 44), 2));
    m_plot->graph(2)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 7));
    m_plot->xAxis->setLabel(tr("step"));
    m_plot->yAxis->setLabel(tr("loss"));
    m_plot->yAxis2->setVisible(true);
    m_plot->yAxis2->setLabel(tr("accuracy"));
    m_plot->yAxis2->setRange(0, 1);
    m_plot->legend->setVisible(true);
    form->addRow(m_plot);
    outer->addWidget(left, 2);

    auto* right = new QWidget(this);
    auto* rl = new QVBoxLayout(right);
    auto* sliderRow = new QHBoxLayout;
    m_snapshotSlider = new QSlider(Qt::Horizontal, right);
    m_snapshotSlider->setEnabled(false);
    m_snapshotSlider->setToolTip(tr("Go back through the saved snapshots"));
    m_snapshotLabel = new QLabel(tr("No snapshot yet"), right);
    sliderRow->addWidget(m_snapshotLabel);
    sliderRow->addWidget(m_snapshotSlider, 1);
    rl->addLayout(sliderRow);
    m_heatmap = new HeatmapPlotWidget(right);
    m_heatmap->setValueRange(0, 1);
    m_heatmap->setTitle(tr("The probe's attention appears at the first checkpoint"));
    m_overlay = new ImageOverlayWidget(right);
    m_overlay->hide();
    m_chart = new PredictionChartWidget(right);
    m_chart->clear(tr("Predictions for the probe appear at each checkpoint"));
    rl->addWidget(m_heatmap, 3);
    rl->addWidget(m_overlay, 3);
    rl->addWidget(m_chart, 2);
    outer->addWidget(right, 3);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString filter = task() == Task::SentenceLabels ? tr("Labelled sentences (*.tsv *.csv *.txt);;All files (*)")
                               : task() == Task::TokenLabels  ? tr("CoNLL (*.conll *.txt *.tsv);;All files (*)")
                                                              : tr("Text (*.txt);;All files (*)");
        const QString f = QFileDialog::getOpenFileName(this, fineTuning() ? tr("Choose the labelled data") : tr("Choose a corpus"),
                                                       QDir::homePath(), filter);
        if (!f.isEmpty()) m_corpus->setText(f);
    });
    connect(browseModel, &QPushButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Choose the model to fine-tune"), m_baseModel->text());
        if (!d.isEmpty()) m_baseModel->setText(d);
    });
    connect(m_task, qOverload<int>(&QComboBox::currentIndexChanged), this, &TrainingPanel::updateTaskFields);
    connect(m_start, &QPushButton::clicked, this, &TrainingPanel::start);
    connect(m_pause, &QPushButton::toggled, this, [this](bool p) {
        m_worker->setPaused(p);
        m_status->setText(p ? tr("Paused") : tr("Running…"));
    });
    connect(m_stop, &QPushButton::clicked, this, [this] {
        m_worker->stop();
        m_status->setText(tr("Stopping after this step (a checkpoint is written)…"));
    });
    connect(m_open, &QPushButton::clicked, this, [this] { emit openResult(m_lastOut.isEmpty() ? m_out->text() : m_lastOut); });
    connect(m_snapshotSlider, &QSlider::valueChanged, this, &TrainingPanel::showSnapshot);
    connect(m_worker, &TrainingWorker::progress, this, &TrainingPanel::onProgress);
    connect(m_worker, &TrainingWorker::snapshot, this, &TrainingPanel::onSnapshot);
    connect(m_worker, &TrainingWorker::finished, this, [this](const QString& dir, int steps, const QString& error) {
        setRunning(false);
        m_lastOut = dir;
        if (!error.isEmpty()) return m_status->setText(tr("Training failed: %1").arg(error));
        if (!fineTuning() || m_worker->lastReport().heldOutExamples == 0)
            return m_status->setText(tr("Finished after %1 steps; model saved in %2").arg(steps).arg(dir));
        const auto& r = m_worker->lastReport();
        QString table = QStringLiteral("<table cellspacing=\"6\"><tr><th align=\"left\">%1</th><th>%2</th><th>%3</th><th>%4</th></tr>")
                            .arg(tr("label"), tr("held out"), tr("precision"), tr("recall"));
        for (const auto& l : r.labels)
            table += QStringLiteral("<tr><td>%1</td><td align=\"right\">%2</td><td align=\"right\">%3%</td><td align=\"right\">%4%</td></tr>")
                         .arg(QString::fromStdString(l.label).toHtmlEscaped())
                         .arg(l.support)
                         .arg(100 * l.precision, 0, 'f', 1)
                         .arg(100 * l.recall, 0, 'f', 1);
        m_status->setText(tr("Finished after %1 of %2 steps; model saved in %3.<br><b>Held-out %4: %5%</b> (%6 sentences never trained on)")
                              .arg(steps).arg(r.totalSteps).arg(dir.toHtmlEscaped())
                              .arg(task() == Task::TokenLabels ? tr("token accuracy") : tr("accuracy"))
                              .arg(100 * r.heldOutAccuracy, 0, 'f', 1).arg(r.heldOutExamples) +
                          table + QStringLiteral("</table>"));
    });
    connect(m_worker, &TrainingWorker::validated, this, [this](double step, double accuracy) {
        m_plot->graph(2)->addData(step, accuracy);
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    });
    setRunning(false);
    updateTaskFields();
}

void TrainingPanel::updateTaskFields() {
    const Task t = task();
    const bool fine = fineTuning();
    m_form->setRowVisible(m_baseModelRow, fine);
    m_form->setRowVisible(m_corpusRow, t != Task::ShapesClassifier);
    m_form->setRowVisible(m_preset, !fine);
    m_form->setRowVisible(m_steps, !fine);
    m_form->setRowVisible(m_epochs, fine);
    m_form->setRowVisible(m_probe, t != Task::ShapesClassifier);
    m_corpusLabel->setText(fine ? tr("&Data:") : tr("&Corpus:"));
    if (fine) m_plot->graph(2)->addToLegend();  // validation accuracy exists only when fine-tuning
    else m_plot->graph(2)->removeFromLegend();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    m_corpus->setPlaceholderText(t == Task::SentenceLabels ? tr("text<TAB>label per line (TSV), or a CSV with text and label columns")
                                 : t == Task::TokenLabels  ? tr("token<TAB>tag per line, a blank line between sentences (CoNLL)")
                                                           : tr("A plain-text file, one sentence per line"));
    // Each task starts from data that fits it: the built-in corpus or sentiment sentences.
    const QString text = m_corpus->text();
    const bool builtin = text.isEmpty() || text == builtinCorpus() || text == builtinSentiment();
    if (builtin) m_corpus->setText(t == Task::SentenceLabels ? builtinSentiment() : t == Task::TokenLabels ? QString() : builtinCorpus());
    const QString probe = m_probe->text();
    if (fine && probe.contains(QLatin1String("[MASK]"))) m_probe->setText(QStringLiteral("The concert was wonderful."));
    if (!fine && !probe.contains(QLatin1String("[MASK]")))
        m_probe->setText(QStringLiteral("The [MASK] is shining brightly in the sky."));
    m_probe->setToolTip(fine ? tr("Classified at every checkpoint, so you can watch the labels form")
                             : tr("Re-analysed at every checkpoint, so you can watch predictions and heads form"));
}

void TrainingPanel::setCorpusPath(const QString& path) { m_corpus->setText(path); }
void TrainingPanel::setOutputDir(const QString& dir) { m_out->setText(dir); }
void TrainingPanel::setSteps(int steps) { m_steps->setValue(steps); }
void TrainingPanel::setTask(Task t) { m_task->setCurrentIndex(m_task->findData(static_cast<int>(t))); }
void TrainingPanel::setPreset(Preset p) { m_preset->setCurrentIndex(m_preset->findData(static_cast<int>(p))); }
TrainingPanel::Task TrainingPanel::task() const { return static_cast<Task>(m_task->currentData().toInt()); }
TrainingPanel::Preset TrainingPanel::preset() const { return static_cast<Preset>(m_preset->currentData().toInt()); }
int TrainingPanel::plottedPoints() const { return m_plot->graph(0)->dataCount(); }
int TrainingPanel::validationPoints() const { return m_plot->graph(2)->dataCount(); }
void TrainingPanel::setBaseModel(const QString& dir) { m_baseModel->setText(dir); }
void TrainingPanel::setEpochs(int epochs) { m_epochs->setValue(epochs); }
QString TrainingPanel::statusText() const { return m_status->text(); }

void TrainingPanel::setRunning(bool running) {
    m_start->setEnabled(!running);
    m_pause->setEnabled(running);
    m_stop->setEnabled(running);
    m_open->setEnabled(!running);
    if (!running) {
        const QSignalBlocker block(m_pause);
        m_pause->setChecked(false);
    }
}

void TrainingPanel::start() {
    // Every check first: a refused start leaves the last run's curves and status as they were.
    if (m_out->text().trimmed().isEmpty()) {
        m_status->setText(tr("Choose an output folder"));
        return;
    }
    if ((fineTuning() || task() == Task::MaskedLanguageModel) && !QFileInfo::exists(m_corpus->text())) {
        m_status->setText((fineTuning() ? tr("The data file %1 does not exist") : tr("The corpus file %1 does not exist"))
                              .arg(m_corpus->text()));
        return;
    }
    FineTuneConfig fineTune;
    if (fineTuning()) {
        fineTune.modelDir = m_baseModel->text().toStdString();
        fineTune.dataPath = m_corpus->text().toStdString();
        fineTune.outDir = m_out->text().toStdString();
        fineTune.task = task() == Task::TokenLabels ? FineTuneTask::Tokens : FineTuneTask::Sentence;
        fineTune.epochs = m_epochs->value();
        fineTune.learningRate = 1e-4;  // the demo sentiment model's recipe (scripts/train-demo-sentiment.sh)
        if (auto st = validateFineTuneConfig(fineTune); !st) {
            m_status->setText(QString::fromStdString(st.error()));
            return;
        }
    }
    m_plot->graph(0)->data()->clear();
    m_plot->graph(1)->data()->clear();
    m_plot->graph(2)->data()->clear();
    m_snapshots.clear();
    m_snapshotSlider->setEnabled(false);
    const bool tiny = preset() == Preset::Tiny;
    const int every = std::max(1, m_steps->value() / 20);
    if (fineTuning()) {
        m_worker->startFineTune(fineTune, m_probe->text());
        m_heatmap->show();
        m_overlay->hide();
    } else if (task() == Task::MaskedLanguageModel) {
        MlmTrainConfig c;
        c.corpusPath = m_corpus->text().toStdString();
        c.outDir = m_out->text().toStdString();
        c.layers = tiny ? 2 : 4;
        c.hidden = tiny ? 64 : 128;
        c.heads = tiny ? 2 : 4;
        c.intermediate = 4 * c.hidden;
        c.vocabSize = tiny ? 2000 : 4000;
        c.batchTokens = tiny ? 1024 : 2048;
        c.steps = m_steps->value();
        c.checkpointEvery = every;
        m_worker->startMlm(c, m_probe->text());
        m_heatmap->show();
        m_overlay->hide();
    } else {
        VitTrainConfig c;
        c.outDir = m_out->text().toStdString();
        // Small is the demo ViT's recipe; tiny halves the work per step.
        c.layers = tiny ? 2 : 3;
        c.hidden = 64;
        c.heads = 4;
        c.intermediate = 4 * c.hidden;
        c.batchSize = tiny ? 32 : 64;
        c.steps = m_steps->value();
        c.checkpointEvery = every;
        m_worker->startVit(c, renderShapeSample(heldOutShapesSeed(c.seed), 0, c.imageSize).image);
        m_heatmap->hide();
        m_overlay->show();
    }
    setRunning(true);
    m_status->setText(tr("Running…"));
}

void TrainingPanel::onProgress(double step, double total, double loss, double accuracy, double rate, double eta) {
    m_plot->graph(0)->addData(step, loss);
    m_plot->graph(1)->addData(step, accuracy);
    m_plot->xAxis->setRange(0, total);
    bool found = false;
    const auto range = m_plot->graph(0)->data()->valueRange(found);
    if (found) m_plot->yAxis->setRange(0, range.upper * 1.05);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    if (!m_pause->isChecked())
        m_status->setText(tr("Step %1 of %2 · loss %3 · accuracy %4% · %5 %6/s · ETA %7 s")
                              .arg(step).arg(total).arg(loss, 0, 'f', 3).arg(100 * accuracy, 0, 'f', 1)
                              .arg(rate, 0, 'f', 0)
                              .arg(task() == Task::MaskedLanguageModel ? tr("tokens") : fineTuning() ? tr("sentences") : tr("images"))
                              .arg(eta, 0, 'f', 0));
}

void TrainingPanel::onSnapshot(const TrainingSnapshot& s) {
    const bool atEnd = m_snapshots.empty() || m_snapshotSlider->value() == static_cast<int>(m_snapshots.size()) - 1;
    m_snapshots.push_back(s);
    m_snapshotSlider->setEnabled(true);
    m_snapshotSlider->setRange(0, static_cast<int>(m_snapshots.size()) - 1);
    if (atEnd) {
        m_snapshotSlider->setValue(static_cast<int>(m_snapshots.size()) - 1);
        showSnapshot(static_cast<int>(m_snapshots.size()) - 1);
    }
}

void TrainingPanel::showSnapshot(int index) {
    if (index < 0 || index >= static_cast<int>(m_snapshots.size())) return;
    const auto& s = m_snapshots[static_cast<std::size_t>(index)];
    m_snapshotLabel->setText(tr("Snapshot at step %1").arg(s.step));
    if (s.text) {
        const auto& a = s.text->attention;
        const auto m = selectAttention(a, a.layers - 1, 0, HeadAggregation::Mean);
        QStringList labels;
        for (const auto& t : s.text->tokens) labels << QString::fromStdString(labelOf(t));
        m_heatmap->setMatrix(m.rows, m.cols, m.values, labels, labels);
        m_heatmap->setTitle(tr("Last layer, mean over heads, step %1").arg(s.step));
        m_chart->setPredictions(*s.text);
    } else if (s.image) {
        m_overlay->setImage(toQImage(s.image->input), s.image->gridRows, s.image->gridCols);
        PatchHeatRequest r;
        r.source = PatchHeatSource::Rollout;
        m_overlay->setHeat(patchHeat(*s.image, r));
        m_chart->setClasses(tr("Probe image, step %1").arg(s.step), s.image->top, tr("No classes at step %1").arg(s.step));
    }
}

}  // namespace ascope::ui
