#include "panels/heads_panel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>
#include <limits>

#include "widgets/heatmap_plot_widget.h"

namespace ascope::ui {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QString measureDescription(HeadsPanel::Measure m) {
    using M = HeadsPanel::Measure;
    switch (m) {
    case M::Importance: return HeadsPanel::tr("drop in the answer's probability when this head alone is switched off");
    case M::Entropy: return HeadsPanel::tr("entropy of the attention rows (nats; low = focused)");
    case M::Distance: return HeadsPanel::tr("mean distance between a token and where it looks (tokens)");
    case M::Cls: return HeadsPanel::tr("share of attention on [CLS]");
    case M::Sep: return HeadsPanel::tr("share of attention on [SEP]");
    case M::Self: return HeadsPanel::tr("share of attention on the token itself");
    case M::Previous: return HeadsPanel::tr("share of attention on the previous token");
    case M::Next: return HeadsPanel::tr("share of attention on the next token");
    case M::Punctuation: return HeadsPanel::tr("share of attention on punctuation");
    }
    return {};
}

// Numeric table items sort by value, not by text.
class NumberItem : public QTableWidgetItem {
public:
    explicit NumberItem(double v, int decimals) : QTableWidgetItem(QString::number(v, 'f', decimals)) {
        setData(Qt::UserRole, v);
        setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
    bool operator<(const QTableWidgetItem& other) const override {
        return data(Qt::UserRole).toDouble() < other.data(Qt::UserRole).toDouble();
    }
};
}  // namespace

HeadsPanel::HeadsPanel(QWidget* parent) : QWidget(parent) {
    auto* outer = new QVBoxLayout(this);
    auto* controls = new QHBoxLayout;
    m_measure = new QComboBox(this);
    const std::pair<Measure, QString> items[] = {
        {Measure::Importance, tr("Head importance")}, {Measure::Entropy, tr("Entropy")},
        {Measure::Distance, tr("Mean distance")}, {Measure::Cls, tr("Attention to [CLS]")},
        {Measure::Sep, tr("Attention to [SEP]")}, {Measure::Self, tr("Attention to itself")},
        {Measure::Previous, tr("Attention to the previous token")}, {Measure::Next, tr("Attention to the next token")},
        {Measure::Punctuation, tr("Attention to punctuation")}};
    for (const auto& [m, label] : items) m_measure->addItem(label, static_cast<int>(m));
    m_measure->setToolTip(tr("What the grid and the table show for every head"));
    m_mask = new QComboBox(this);
    m_mask->setToolTip(tr("Which [MASK]'s answer head importance is measured on"));
    m_compute = new QPushButton(tr("Compute head importance"), this);
    m_compute->setToolTip(tr("Switch each head off alone and measure how much the [MASK]'s answer loses "
                             "(one batched pass per layer, on the worker thread)"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setVisible(false);
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(160);
    m_progress->setVisible(false);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_showLabel = new QLabel(tr("Show"), this);
    controls->addWidget(m_showLabel);
    controls->addWidget(m_measure);
    controls->addWidget(m_mask);
    controls->addWidget(m_compute);
    controls->addWidget(m_progress);
    controls->addWidget(m_cancel);
    controls->addStretch(1);
    outer->addLayout(controls);
    outer->addWidget(m_status);

    auto* split = new QSplitter(Qt::Horizontal, this);
    m_grid = new HeatmapPlotWidget(split);
    m_grid->setAxisTitles(tr("head"), tr("layer"));
    m_grid->setMinimumSize(300, 240);
    m_grid->setExportBaseName(QStringLiteral("heads"));
    m_grid->setHoverFormatter([this](int row, int col, double v) {
        return std::isnan(v) ? tr("Layer %1, head %2: not computed").arg(row).arg(col)
                             : tr("Layer %1, head %2: %3").arg(row).arg(col).arg(v, 0, 'f', 4);
    });
    m_table = new QTableWidget(0, 3, split);
    m_table->setHorizontalHeaderLabels({tr("Layer"), tr("Head"), tr("Value")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setMinimumWidth(240);
    m_table->setSortingEnabled(true);
    m_table->setToolTip(tr("Click a column header to sort; click a row to open that head"));
    split->addWidget(m_grid);
    split->addWidget(m_table);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setSizes({760, 280});
    outer->addWidget(split, 1);

    m_measure->setCurrentIndex(m_measure->findData(static_cast<int>(Measure::Entropy)));  // importance once computed
    connect(m_measure, qOverload<int>(&QComboBox::currentIndexChanged), this, &HeadsPanel::refresh);
    connect(m_mask, qOverload<int>(&QComboBox::currentIndexChanged), this, &HeadsPanel::refresh);
    connect(m_compute, &QPushButton::clicked, this, [this] {
        m_clock.start();
        emit importanceRequested();
    });
    connect(m_cancel, &QPushButton::clicked, this, &HeadsPanel::importanceCancelRequested);
    connect(m_grid, &HeatmapPlotWidget::cellClicked, this, &HeadsPanel::headChosen);
    connect(m_table, &QTableWidget::cellClicked, this, [this](int row, int) {
        emit headChosen(m_table->item(row, 0)->data(Qt::UserRole).toInt(), m_table->item(row, 1)->data(Qt::UserRole).toInt());
    });
    refresh();
}

HeadsPanel::Measure HeadsPanel::measure() const { return static_cast<Measure>(m_measure->currentData().toInt()); }
void HeadsPanel::setMeasure(Measure m) { m_measure->setCurrentIndex(m_measure->findData(static_cast<int>(m))); }
QString HeadsPanel::statusText() const { return m_status->text(); }

void HeadsPanel::setAnalysis(TextAnalysisPtr analysis) {
    m_analysis = std::move(analysis);
    m_statsStale = true;
    if (m_analysis && !m_analysis->attention.empty()) {
        m_layers = m_analysis->attention.layers;
        m_heads = m_analysis->attention.heads;
    }
    if (isVisible()) refresh();  // else when the tab is shown
}

void HeadsPanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    refresh();
}

const std::vector<HeadStatistics>& HeadsPanel::stats() const {
    if (m_statsStale) {
        m_statsStale = false;
        m_stats = m_analysis && !m_analysis->attention.empty()
                      ? headStatistics(m_analysis->attention, tokenRolesOf(m_analysis->tokens))
                      : std::vector<HeadStatistics>();
    }
    return m_stats;
}

void HeadsPanel::setImportanceOnly(int layers, int heads) {
    m_importanceOnly = true;
    m_layers = layers;
    m_heads = heads;
    m_showLabel->hide();
    m_measure->hide();
    m_compute->setToolTip(tr("Switch each head off alone and measure how much the top class loses "
                             "(one batched pass per layer, on the worker thread)"));
    setMeasure(Measure::Importance);
    refresh();
}

void HeadsPanel::setImportance(HeadImportancePtr importance) {
    m_importance = std::move(importance);
    const QSignalBlocker block(m_mask);
    m_mask->clear();
    using Target = HeadImportance::Target;
    if (m_importance && !m_importanceOnly)
        for (const auto& m : m_importance->masks) {
            const QString answer = QString::fromStdString(labelOf(m.answer));
            if (m_importance->target == Target::Sentence) m_mask->addItem(tr("The sentence → %1").arg(answer));
            else if (m_importance->target == Target::Tokens && m_analysis && m.position < static_cast<int>(m_analysis->tokens.size()))
                m_mask->addItem(tr("“%1” at %2 → %3")
                                    .arg(QString::fromStdString(labelOf(m_analysis->tokens[static_cast<std::size_t>(m.position)])))
                                    .arg(m.position).arg(answer));
            else m_mask->addItem(tr("[MASK] at %1 → %2").arg(m.position).arg(answer));
        }
    else if (m_importance)
        m_mask->addItem(QString::fromStdString(labelOf(m_importance->masks.front().answer)));
    if (m_importance && m_clock.isValid())
        m_status->setText(tr("Head importance: %1 heads switched off one at a time in %2 batched passes, %3 s.")
                              .arg(m_importance->layers * m_importance->heads).arg(m_importance->forwards)
                              .arg(static_cast<double>(m_clock.elapsed()) / 1000.0, 0, 'f', 2));
    if (m_importance) setMeasure(Measure::Importance);
    refresh();
}

void HeadsPanel::setImportanceRunning(bool running) {
    m_compute->setEnabled(!running);
    m_cancel->setVisible(running);
    m_progress->setVisible(running);
    if (running) {
        m_progress->setRange(0, 0);
        m_status->setText(tr("Switching each head off in turn…"));
    }
}

void HeadsPanel::setImportanceProgress(int done, int total) {
    m_progress->setRange(0, total);
    m_progress->setValue(done);
}

void HeadsPanel::setImportanceError(const QString& message) {
    setImportanceRunning(false);
    m_status->setText(message);
}

double HeadsPanel::valueOf(int layer, int head) const {
    const auto i = static_cast<std::size_t>(layer) * static_cast<std::size_t>(m_heads) + static_cast<std::size_t>(head);
    if (measure() == Measure::Importance) {
        const int m = m_mask->currentIndex();
        if (!m_importance || m < 0 || m >= static_cast<int>(m_importance->masks.size()) || m_importance->layers != m_layers ||
            m_importance->heads != m_heads)
            return kNaN;
        return m_importance->masks[static_cast<std::size_t>(m)].drop(layer, head, m_heads);
    }
    const auto& all = stats();
    if (i >= all.size()) return kNaN;
    const auto& s = all[i];
    switch (measure()) {
    case Measure::Entropy: return s.entropy;
    case Measure::Distance: return s.meanDistance;
    case Measure::Cls: return s.cls;
    case Measure::Sep: return s.sep;
    case Measure::Self: return s.self;
    case Measure::Previous: return s.previous;
    case Measure::Next: return s.next;
    case Measure::Punctuation: return s.punctuation;
    case Measure::Importance: break;
    }
    return kNaN;
}

void HeadsPanel::refresh() {
    const bool importance = measure() == Measure::Importance;
    m_mask->setVisible(importance && m_mask->count() > 1);
    std::vector<float> values;
    QStringList rowLabels, colLabels;
    for (int l = 0; l < m_layers; ++l) rowLabels << QStringLiteral("L%1").arg(l);
    for (int h = 0; h < m_heads; ++h) colLabels << QStringLiteral("H%1").arg(h);
    const QSignalBlocker block(m_table);
    m_table->setSortingEnabled(false);
    m_table->setRowCount(0);
    bool any = false;
    for (int l = 0; l < m_layers; ++l)
        for (int h = 0; h < m_heads; ++h) {
            const double v = valueOf(l, h);
            values.push_back(static_cast<float>(v));
            if (std::isnan(v)) continue;
            any = true;
            const int row = m_table->rowCount();
            m_table->insertRow(row);
            m_table->setItem(row, 0, new NumberItem(l, 0));
            m_table->setItem(row, 1, new NumberItem(h, 0));
            m_table->setItem(row, 2, new NumberItem(v, 4));
        }
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(2, Qt::DescendingOrder);
    m_grid->setColorMap(importance ? ColorMap::Coolwarm : ColorMap::Viridis);
    m_grid->setMatrix(m_layers, m_heads, values, rowLabels, colLabels);
    if (importance) m_grid->setSymmetricRange();
    else m_grid->setAutoRange();
    QString title = measureDescription(measure());
    if (importance && m_importance && m_mask->currentIndex() >= 0) {
        const auto& m = m_importance->masks[static_cast<std::size_t>(m_mask->currentIndex())];
        title = tr("Drop in P(“%1”) = %2 when one head is switched off").arg(QString::fromStdString(labelOf(m.answer)))
                    .arg(m.answer.probability, 0, 'f', 3);
    }
    m_grid->setTitle(title);
    if (importance && !any && m_progress->isHidden())
        m_status->setText(m_importanceOnly ? tr("Press “Compute head importance” to switch each head off in turn and see "
                                                "how much the top class loses.")
                          : m_analysis && m_analysis->task == TextTask::SentenceLabels
                              ? tr("Press “Compute head importance” to switch each head off in turn and see how much the "
                                   "sentence's label loses.")
                          : m_analysis && m_analysis->task == TextTask::TokenLabels
                              ? tr("Press “Compute head importance” to switch each head off in turn and see how much each "
                                   "entity token's tag loses.")
                          : m_analysis && m_analysis->predictions.empty()
                              ? tr("Head importance needs a [MASK]: mask a token to measure which heads its prediction relies on.")
                              : tr("Press “Compute head importance” to switch each head off in turn."));
}

}  // namespace ascope::ui
