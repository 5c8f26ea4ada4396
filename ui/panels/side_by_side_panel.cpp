#include "panels/side_by_side_panel.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>
#include <cmath>

#include "export/figure_exporter.h"
#include "widgets/heatmap_plot_widget.h"
#include "widgets/prediction_chart_widget.h"

namespace ascope::ui {

namespace {
QStringList labelsOf(const TextAnalysis& a, const AttentionMatrix& m) {
    QStringList labels;
    for (int i : m.tokenIndex) labels << QString::fromStdString(labelOf(a.tokens[static_cast<std::size_t>(i)]));
    return labels;
}
}  // namespace

SideBySidePanel::SideBySidePanel(QWidget* parent) : QWidget(parent) {
    m_sessionB = new TextSession(this);
    m_sentenceB = new QLineEdit(this);
    m_sentenceB->setPlaceholderText(tr("A second sentence (B), e.g. the same one with one word changed"));
    m_sentenceB->setClearButtonEnabled(true);
    m_modelB = new QLabel(tr("same model"), this);
    auto* otherModel = new QPushButton(tr("Other Model for B…"), this);
    otherModel->setToolTip(tr("Run sentence B through another model (a Hugging Face folder): one sentence, two models"));
    m_sameModel = new QPushButton(tr("Same Model"), this);
    m_sameModel->setEnabled(false);
    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    m_heatmapA = new HeatmapPlotWidget(this);
    m_heatmapB = new HeatmapPlotWidget(this);
    m_difference = new HeatmapPlotWidget(this);
    m_difference->setColorMap(ColorMap::Coolwarm);
    for (auto* h : {m_heatmapA, m_heatmapB, m_difference}) h->setAxisTitles(tr("key"), tr("query"));
    m_predictionsA = new PredictionChartWidget(this);
    m_predictionsB = new PredictionChartWidget(this);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("B:"), this));
    top->addWidget(m_sentenceB, 1);
    top->addWidget(m_modelB);
    top->addWidget(otherModel);
    top->addWidget(m_sameModel);
    auto* grid = new QGridLayout;
    grid->addWidget(m_heatmapA, 0, 0);
    grid->addWidget(m_heatmapB, 0, 1);
    grid->addWidget(m_difference, 0, 2);
    grid->addWidget(m_predictionsA, 1, 0);
    grid->addWidget(m_predictionsB, 1, 1);
    grid->setRowStretch(0, 3);
    grid->setRowStretch(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_note);
    layout->addLayout(grid, 1);

    connect(m_sentenceB, &QLineEdit::textChanged, this, [this] { runB(); });
    connect(otherModel, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("A model for sentence B"), m_primaryDir);
        if (!dir.isEmpty()) openModelB(dir);
    });
    connect(m_sameModel, &QPushButton::clicked, this, [this] { openModelB(QString()); });
    connect(m_sessionB, &TextSession::modelLoaded, this, [this](const QString& dir) {
        m_modelB->setText(m_ownModel ? QFileInfo(dir).fileName() : tr("same model"));
        m_sameModel->setEnabled(m_ownModel);
        runB();
    });
    connect(m_sessionB, &TextSession::modelFailed, this, [this](const QString& message) {
        m_note->setText(tr("Could not open the model for B: %1").arg(message));
    });
    connect(m_sessionB, &TextSession::analysisFailed, this, [this](const QString& message) { m_note->setText(message); });
    connect(m_sessionB, &TextSession::analysisReady, this, [this](TextAnalysisPtr analysis, TextAnalysisPtr) {
        m_analysisB = std::move(analysis);
        refresh();
        emit analysisBShown();
    });
    refresh();
}

void SideBySidePanel::setPrimaryModel(TextModelPtr model, const QString& dir) {
    m_primaryModel = std::move(model);
    m_primaryDir = dir;
    if (!m_ownModel) m_sessionB->useModel(m_primaryModel, dir);
}

void SideBySidePanel::openModelB(const QString& dir) {
    m_analysisB = nullptr;
    m_ownModel = !dir.isEmpty();
    if (m_ownModel) m_sessionB->openModel(dir);
    else if (m_primaryModel) m_sessionB->useModel(m_primaryModel, m_primaryDir);
    refresh();
}

QString SideBySidePanel::modelBDirectory() const {
    const auto model = m_sessionB->model();
    return m_ownModel && model ? QString::fromStdString(model->directory()) : QString();
}

void SideBySidePanel::setPrimary(TextAnalysisPtr analysis, bool causal) {
    m_analysisA = std::move(analysis);
    if (causal != m_causal) {
        m_causal = causal;
        runB();
    }
    refresh();
}

void SideBySidePanel::setSelection(int layer, int head, HeadAggregation aggregation) {
    m_layer = layer;
    m_head = head;
    m_aggregation = aggregation;
    refresh();
}

void SideBySidePanel::setSentenceB(const QString& text) { m_sentenceB->setText(text); }
QString SideBySidePanel::sentenceB() const { return m_sentenceB->text(); }
QString SideBySidePanel::note() const { return m_note->text(); }

void SideBySidePanel::runB() {
    const auto model = m_sessionB->model();
    const QString text = m_sentenceB->text();
    if (!model || text.trimmed().isEmpty()) {
        m_analysisB = nullptr;
        refresh();
        return;
    }
    auto tokens = model->tokenizer().encode(text.toStdString());
    if (static_cast<int>(tokens.size()) > model->maxTokens()) {
        m_note->setText(tr("Sentence B is %1 tokens long; this model takes at most %2.").arg(tokens.size()).arg(model->maxTokens()));
        return;
    }
    TextRunOptions options;
    if (m_causal) options.attentionMask.mode = AttentionMaskSpec::Mode::Causal;
    m_sessionB->requestAnalysis(text, tokens, options);
}

void SideBySidePanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_stale) refresh();
}

void SideBySidePanel::refresh() {
    // Drawn only while the tab is shown: the main view's every analysis and selection change
    // arrives here, and three heatmaps and two charts are not worth redrawing unseen.
    m_stale = !isVisible();
    if (m_stale) return;
    const auto show = [this](HeatmapPlotWidget& plot, const TextAnalysisPtr& a, const QString& name) -> AttentionMatrix {
        if (!a || a->attention.empty()) {
            plot.setMatrix(0, 0, {});
            plot.setTitle(name);
            return {};
        }
        const int layer = std::min(m_layer, a->attention.layers - 1), head = std::min(m_head, a->attention.heads - 1);
        AttentionMatrix m = selectAttention(a->attention, layer, head, m_aggregation);
        const QStringList labels = labelsOf(*a, m);
        plot.setMatrix(m.rows, m.cols, m.values, labels, labels);
        plot.setValueRange(0, 1);
        plot.setTitle(QStringLiteral("%1 — layer %2%3").arg(name).arg(layer)
                          .arg(m_aggregation == HeadAggregation::Single ? tr(", head %1").arg(head) : tr(", all heads")));
        return m;
    };
    const AttentionMatrix a = show(*m_heatmapA, m_analysisA, tr("A"));
    const AttentionMatrix b = show(*m_heatmapB, m_analysisB, tr("B"));
    QStringList notes;
    if (!m_analysisB) notes << (m_sentenceB->text().trimmed().isEmpty() ? tr("Type sentence B above.") : tr("Running B…"));
    if (a.rows > 0 && b.rows > 0 && a.rows == b.rows && a.cols == b.cols) {
        std::vector<float> diff(a.values.size());
        for (std::size_t i = 0; i < diff.size(); ++i) diff[i] = b.values[i] - a.values[i];
        QStringList labels;
        for (int i = 0; i < a.rows; ++i) {
            const QString ta = QString::fromStdString(labelOf(m_analysisA->tokens[static_cast<std::size_t>(a.tokenIndex[static_cast<std::size_t>(i)])]));
            const QString tb = QString::fromStdString(labelOf(m_analysisB->tokens[static_cast<std::size_t>(b.tokenIndex[static_cast<std::size_t>(i)])]));
            labels << (ta == tb ? ta : ta + QStringLiteral("/") + tb);
        }
        m_difference->setMatrix(a.rows, a.cols, diff, labels, labels);
        m_difference->setSymmetricRange();
        m_difference->setTitle(tr("B − A (red: B attends more)"));
    } else {
        m_difference->setMatrix(0, 0, {});
        m_difference->setTitle(tr("B − A"));
        if (a.rows > 0 && b.rows > 0)
            notes << tr("A has %1 tokens and B %2: no cell-by-cell difference (change one word for one word).").arg(a.rows).arg(b.rows);
    }
    if (m_analysisA) m_predictionsA->setPredictions(*m_analysisA);
    else m_predictionsA->clear(tr("Sentence A is the main view's"));
    if (m_analysisB) m_predictionsB->setPredictions(*m_analysisB);
    else m_predictionsB->clear(tr("No predictions for B yet"));
    if (m_causal) notes << tr("Both run with the look-ahead mask.");
    m_note->setText(notes.join(QLatin1Char(' ')));
}

void SideBySidePanel::renderExport(QPainter& painter, const QSize& size) {
    const int w = size.width() / 3;
    int x = 0;
    for (auto* plot : {m_heatmapA, m_heatmapB, m_difference}) {
        painter.save();
        painter.translate(x, 0);
        plot->renderExport(painter, QSize(w, size.height()));
        painter.restore();
        x += w;
    }
}

QSize SideBySidePanel::exportSize() const { return QSize(1500, 520); }

QString SideBySidePanel::exportBaseName() const {
    return QStringLiteral("side-by-side_L%1_H%2_%3_vs_%4").arg(m_layer).arg(m_head).arg(
        m_analysisA ? slugify(QString::fromStdString(m_analysisA->text), 20) : QStringLiteral("a"), slugify(m_sentenceB->text(), 20));
}

}  // namespace ascope::ui
