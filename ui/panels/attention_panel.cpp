#include "panels/attention_panel.h"

#include <QCheckBox>
#include <cmath>
#include <limits>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

#include "widgets/heatmap_plot_widget.h"

namespace ascope::ui {

AttentionPanel::AttentionPanel(QWidget* parent) : QWidget(parent) {
    auto* outer = new QVBoxLayout(this);
    m_controls = new QWidget(this);
    auto* controls = new QHBoxLayout(m_controls);
    controls->setContentsMargins(0, 0, 0, 0);
    m_layer = new QSpinBox(this);
    m_head = new QSpinBox(this);
    m_layer->setToolTip(tr("Layer (Page Up / Page Down)"));
    m_head->setToolTip(tr("Head ([ and ])"));
    m_aggregation = new QComboBox(this);
    m_aggregation->addItem(tr("Single head"), static_cast<int>(HeadAggregation::Single));
    m_aggregation->addItem(tr("Mean over heads"), static_cast<int>(HeadAggregation::Mean));
    m_aggregation->addItem(tr("Max over heads"), static_cast<int>(HeadAggregation::Max));
    m_aggregation->addItem(tr("Rollout to this layer"), static_cast<int>(HeadAggregation::Rollout));
    m_aggregation->setToolTip(tr("Show one head, or combine all heads of the layer"));
    m_hideSpecial = new QCheckBox(tr("Hide [CLS]/[SEP]"), this);
    m_hideSpecial->setToolTip(tr("Drop [CLS] and [SEP] from both axes and renormalise each row to sum to 1"));
    m_colorMap = new QComboBox(this);
    fillColorMapCombo(*m_colorMap, ColorMap::Viridis);
    m_colorMap->setToolTip(tr("Colour map"));
    m_scaling = new QComboBox(this);
    m_scaling->addItem(tr("Scale 0–1"), static_cast<int>(Scaling::Fixed));
    m_scaling->addItem(tr("Auto range"), static_cast<int>(Scaling::Auto));
    m_scaling->addItem(tr("Per row"), static_cast<int>(Scaling::PerRow));
    m_scaling->addItem(tr("Log scale"), static_cast<int>(Scaling::Log));
    m_scaling->setToolTip(tr("Colour scaling: fixed 0 to 1, the data's range, each row scaled to its largest "
                             "weight, or log10 of the weight (0.0001 to 1)"));
    auto* layerLabel = new QLabel(tr("&Layer"), this);
    layerLabel->setBuddy(m_layer);
    auto* headLabel = new QLabel(tr("&Head"), this);
    headLabel->setBuddy(m_head);
    controls->addWidget(layerLabel);
    controls->addWidget(m_layer);
    controls->addWidget(headLabel);
    controls->addWidget(m_head);
    controls->addWidget(m_aggregation);
    controls->addWidget(m_hideSpecial);
    controls->addWidget(m_colorMap);
    controls->addWidget(m_scaling);
    controls->addStretch(1);
    outer->addWidget(m_controls);
    m_heatmap = new HeatmapPlotWidget(this);
    m_heatmap->setValueRange(0, 1);
    m_heatmap->setAxisTitles(tr("attends to (key)"), tr("token (query)"));
    m_heatmap->setMinimumSize(320, 280);
    outer->addWidget(m_heatmap, 1);
    m_maskLegend = new QLabel(this);
    m_maskLegend->setWordWrap(true);
    m_maskLegend->setTextFormat(Qt::RichText);
    m_maskLegend->hide();
    outer->addWidget(m_maskLegend);
    m_readout = new QLabel(tr("Hover a cell to read its weight"), this);
    outer->addWidget(m_readout);

    connect(m_heatmap, &HeatmapPlotWidget::cellHovered, m_readout, &QLabel::setText);
    m_heatmap->setHoverFormatter([this](int row, int col, double v) {
        if (!m_analysis || row >= static_cast<int>(m_shown.tokenIndex.size())) return QString();
        const auto& toks = m_analysis->tokens;
        const int i = m_shown.tokenIndex[static_cast<std::size_t>(row)], j = m_shown.tokenIndex[static_cast<std::size_t>(col)];
        const QString value = std::isnan(v) ? tr("masked") : QString::number(v, 'f', 4);
        return tr("%1 (#%2) → %3 (#%4): %5").arg(QString::fromStdString(labelOf(toks[i]))).arg(i)
            .arg(QString::fromStdString(labelOf(toks[j]))).arg(j).arg(value);
    });
    auto changed = [this] {
        refresh();
        emit selectionChanged(layer(), head());
    };
    connect(m_layer, qOverload<int>(&QSpinBox::valueChanged), this, changed);
    connect(m_head, qOverload<int>(&QSpinBox::valueChanged), this, changed);
    connect(m_aggregation, qOverload<int>(&QComboBox::currentIndexChanged), this, [this, changed] {
        m_head->setEnabled(aggregation() == HeadAggregation::Single);
        changed();
    });
    connect(m_hideSpecial, &QCheckBox::toggled, this, changed);
    connect(m_scaling, qOverload<int>(&QComboBox::currentIndexChanged), this, &AttentionPanel::refresh);
    connect(m_colorMap, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        m_heatmap->setColorMap(colorMapOf(*m_colorMap));
        emit colorMapChanged(colorMapOf(*m_colorMap));
    });
    m_layer->setRange(0, 0);
    m_head->setRange(0, 0);
}

void AttentionPanel::setAnalysis(TextAnalysisPtr analysis, TextAnalysisPtr baseline, bool showDifference) {
    m_analysis = std::move(analysis);
    m_baseline = std::move(baseline);
    m_showDifference = showDifference;
    if (!m_analysis || m_highlight.second >= static_cast<int>(m_analysis->tokens.size())) m_highlight = {-1, -1};
    if (m_analysis && !m_analysis->tokens.empty()) {  // the model's own start and end tokens: [CLS]/[SEP] or <s>/</s>
        const auto& first = m_analysis->tokens.front();
        const bool bert = first.text != "<s>";
        m_hideSpecial->setText(bert ? tr("Hide [CLS]/[SEP]") : tr("Hide <s>/</s>"));
        m_hideSpecial->setToolTip(bert ? tr("Drop [CLS] and [SEP] from both axes and renormalise each row to sum to 1")
                                       : tr("Drop <s> and </s> from both axes and renormalise each row to sum to 1"));
    }
    if (m_analysis) {
        const QSignalBlocker b1(m_layer), b2(m_head);
        m_layer->setRange(0, std::max(0, m_analysis->attention.layers - 1));
        m_head->setRange(0, std::max(0, m_analysis->attention.heads - 1));
        if (m_wanted.first >= 0 && m_wanted.first < m_analysis->attention.layers && m_wanted.second < m_analysis->attention.heads) {
            m_layer->setValue(m_wanted.first);
            m_head->setValue(m_wanted.second);
            m_wanted = {-1, -1};
            refresh();
            emit selectionChanged(layer(), head());
            return;
        }
    }
    refresh();
}


void AttentionPanel::setScaling(Scaling s) { m_scaling->setCurrentIndex(m_scaling->findData(static_cast<int>(s))); }
AttentionPanel::Scaling AttentionPanel::scaling() const { return static_cast<Scaling>(m_scaling->currentData().toInt()); }
void AttentionPanel::setAggregation(HeadAggregation a) { m_aggregation->setCurrentIndex(m_aggregation->findData(static_cast<int>(a))); }

std::vector<float> AttentionPanel::differenceToBaseline() const {
    // Tokens the baseline lacks (pad tokens) have no difference to show.
    std::vector<bool> hidden;
    if (hideSpecialTokens())
        for (const auto& t : m_baseline->tokens) hidden.push_back(isStartToken(t) || isEndToken(t));
    const auto base = selectAttention(m_baseline->attention, layer(), head(), aggregation(), hidden, hideSpecialTokens());
    std::vector<int> where(m_analysis->tokens.size(), -1);
    for (int r = 0; r < base.rows; ++r)
        if (const auto i = static_cast<std::size_t>(base.tokenIndex[static_cast<std::size_t>(r)]); i < where.size()) where[i] = r;
    std::vector<float> diff(m_shown.values.size(), std::numeric_limits<float>::quiet_NaN());
    for (int r = 0; r < m_shown.rows; ++r)
        for (int c = 0; c < m_shown.cols; ++c) {
            const int br = where[static_cast<std::size_t>(m_shown.tokenIndex[static_cast<std::size_t>(r)])];
            const int bc = where[static_cast<std::size_t>(m_shown.tokenIndex[static_cast<std::size_t>(c)])];
            if (br >= 0 && bc >= 0) diff[static_cast<std::size_t>(r) * m_shown.cols + c] = m_shown.at(r, c) - base.at(br, bc);
        }
    return diff;
}

void AttentionPanel::setSelection(int l, int h) {
    const QSignalBlocker b1(m_layer), b2(m_head);
    // Beyond what the current analysis has (none yet, or a smaller model): kept for the next one.
    m_wanted = (l > m_layer->maximum() || h > m_head->maximum()) ? std::pair<int, int>{l, h} : std::pair<int, int>{-1, -1};
    m_layer->setValue(l);
    m_head->setValue(h);
    m_aggregation->setCurrentIndex(0);
    refresh();
    emit selectionChanged(layer(), head());
}

int AttentionPanel::layer() const { return m_layer->value(); }
int AttentionPanel::head() const { return m_head->value(); }
HeadAggregation AttentionPanel::aggregation() const { return static_cast<HeadAggregation>(m_aggregation->currentData().toInt()); }
bool AttentionPanel::hideSpecialTokens() const { return m_hideSpecial->isChecked(); }
void AttentionPanel::setHideSpecialTokens(bool hide) { m_hideSpecial->setChecked(hide); }
ColorMap AttentionPanel::colorMap() const { return colorMapOf(*m_colorMap); }
void AttentionPanel::setColorMap(ColorMap map) { m_colorMap->setCurrentIndex(m_colorMap->findData(static_cast<int>(map))); }

void AttentionPanel::stepLayer(int delta) { m_layer->setValue(std::clamp(layer() + delta, 0, m_layer->maximum())); }
void AttentionPanel::stepHead(int delta) { m_head->setValue(std::clamp(head() + delta, 0, m_head->maximum())); }

QString AttentionPanel::selectionSlug() const {
    switch (aggregation()) {
    case HeadAggregation::Mean: return QStringLiteral("L%1_mean").arg(layer());
    case HeadAggregation::Max: return QStringLiteral("L%1_max").arg(layer());
    case HeadAggregation::Rollout: return QStringLiteral("L%1_rollout").arg(layer());
    default: return QStringLiteral("L%1_H%2").arg(layer()).arg(head());
    }
}

void AttentionPanel::highlightTokens(int first, int last) {
    m_highlight = first < 0 || last < first ? std::pair<int, int>{-1, -1} : std::pair<int, int>{first, last};
    refresh();
}

void AttentionPanel::refresh() {
    if (!m_analysis || m_analysis->attention.empty()) {
        m_shown = AttentionMatrix();
        m_heatmap->setMatrix(0, 0, {});
        return;
    }
    std::vector<bool> hidden;
    if (hideSpecialTokens())
        for (const auto& t : m_analysis->tokens) hidden.push_back(isStartToken(t) || isEndToken(t));
    m_shown = selectAttention(m_analysis->attention, layer(), head(), aggregation(), hidden, hideSpecialTokens());
    QStringList labels;
    for (int i : m_shown.tokenIndex) labels << QString::fromStdString(labelOf(m_analysis->tokens[static_cast<std::size_t>(i)]));
    // Cells the attention mask disallowed are drawn as masked (NaN), not as near-zero colour: for
    // one head where that head was masked, for the mean or max where every head was.
    const auto& controls = m_analysis->controls;
    std::vector<float> values = m_shown.values;
    int maskedCells = 0;
    if (!controls.allowed.empty())
        for (int r = 0; r < m_shown.rows; ++r)
            for (int c = 0; c < m_shown.cols; ++c) {
                const int i = m_shown.tokenIndex[static_cast<std::size_t>(r)], j = m_shown.tokenIndex[static_cast<std::size_t>(c)];
                bool masked = true;
                for (int h = 0; h < controls.heads && masked; ++h)
                    if (aggregation() != HeadAggregation::Single || h == head()) masked = !controls.isAllowed(layer(), h, i, j);
                if (masked) {
                    values[static_cast<std::size_t>(r) * m_shown.cols + c] = std::numeric_limits<float>::quiet_NaN();
                    ++maskedCells;
                }
            }
    QStringList notes;
    QString title = selectionTitle();
    // The baseline must be the same tokens (the analysis may add pad tokens after them).
    bool sameTokens = showsDifference() && m_baseline->tokens.size() <= m_analysis->tokens.size() &&
                      m_baseline->attention.layers == m_analysis->attention.layers &&
                      m_baseline->attention.heads == m_analysis->attention.heads;
    for (std::size_t i = 0; sameTokens && i < m_baseline->tokens.size(); ++i)
        sameTokens = m_baseline->tokens[i].id == m_analysis->tokens[i].id;
    const bool difference = sameTokens;
    if (difference) {
        values = differenceToBaseline();
        title += tr(": with the mask − without");
        notes << tr("Red: more attention than without the mask and switched-off heads; blue: less. Cells the mask "
                    "disallows lose all their weight, which the allowed cells of the row share.");
    } else if (scaling() == Scaling::PerRow) {
        for (int r = 0; r < m_shown.rows; ++r) {
            float top = 0.f;
            for (int c = 0; c < m_shown.cols; ++c)
                if (!std::isnan(values[static_cast<std::size_t>(r) * m_shown.cols + c]))
                    top = std::max(top, values[static_cast<std::size_t>(r) * m_shown.cols + c]);
            if (top > 0.f)
                for (int c = 0; c < m_shown.cols; ++c) values[static_cast<std::size_t>(r) * m_shown.cols + c] /= top;
        }
        title += tr(" (each row scaled to its largest weight)");
    } else if (scaling() == Scaling::Log) {
        for (auto& v : values)
            if (!std::isnan(v)) v = std::log10(std::max(v, 1e-4f));
        title += tr(" (log10 of the weight)");
    }
    m_heatmap->setColorMap(difference ? ColorMap::Coolwarm : colorMapOf(*m_colorMap));
    m_heatmap->setMatrix(m_shown.rows, m_shown.cols, values, labels, labels);
    int bandFirst = -1, bandLast = -1;  // the highlighted tokens among the shown ones
    for (int r = 0; r < m_shown.rows && m_highlight.first >= 0; ++r) {
        const int t = m_shown.tokenIndex[static_cast<std::size_t>(r)];
        if (t < m_highlight.first || t > m_highlight.second) continue;
        if (bandFirst < 0) bandFirst = r;
        bandLast = r;
    }
    m_heatmap->setSelectionBand(bandFirst, bandLast);
    int boundary = -1;  // the first shown token of a pair's sentence B
    for (int r = 0; r < m_shown.rows && boundary < 0; ++r)
        if (m_analysis->tokens[static_cast<std::size_t>(m_shown.tokenIndex[static_cast<std::size_t>(r)])].segment != 0) boundary = r;
    m_heatmap->setSegmentBoundary(boundary);
    if (difference) m_heatmap->setSymmetricRange();
    else if (scaling() == Scaling::Auto) m_heatmap->setAutoRange();
    else if (scaling() == Scaling::Log) m_heatmap->setValueRange(-4, 0);
    else m_heatmap->setValueRange(0, 1);
    const bool ablated = aggregation() == HeadAggregation::Single && controls.isAblated(layer(), head());
    m_heatmap->setTitle(ablated ? tr("%1 (switched off: its attention is zero)").arg(title) : title);
    if (maskedCells > 0 && !difference)
        notes << QStringLiteral("<span style=\"background:%1\">&nbsp;&nbsp;&nbsp;&nbsp;</span> ").arg(kMaskedColor.name()) +
                     tr("Grey cells are masked: attention may not go there (their weight is exactly 0).");
    int emptyRows = 0;
    for (const auto& row : controls.fullyMaskedRows)
        if (row.layer == layer() && (aggregation() != HeadAggregation::Single || row.head == head())) ++emptyRows;
    if (emptyRows > 0)
        notes << tr("%n row(s) have no allowed key at all: the softmax then spreads evenly over every token, as in "
                    "Hugging Face, which is not real attention.", nullptr, emptyRows);
    m_maskLegend->setText(notes.join(QLatin1Char(' ')));
    m_maskLegend->setVisible(!notes.isEmpty());
}

QString AttentionPanel::selectionTitle() const {
    const QString which = aggregation() == HeadAggregation::Single  ? tr("head %1").arg(head())
                          : aggregation() == HeadAggregation::Mean  ? tr("mean over heads")
                          : aggregation() == HeadAggregation::Max   ? tr("max over heads")
                                                                    : tr("attention rollout through layers 0–%1").arg(layer());
    return tr("Layer %1, %2").arg(layer()).arg(which);
}

void AttentionPanel::setControlsVisible(bool visible) {
    m_controls->setVisible(visible);
    m_readout->setVisible(visible);
    m_heatmap->setCrosshair(!visible);
    m_heatmap->setToolTip(visible ? tr("Hover a cell to read its value") : QString());
}

QString AttentionPanel::captionText() const {
    if (!m_analysis || m_analysis->attention.empty()) return tr("Type a sentence to see where each token looks.");
    QString what;
    switch (aggregation()) {
    case HeadAggregation::Single:
        what = tr("Layer %1, head %2: where each token (row) looks (columns); each row sums to 1").arg(layer()).arg(head());
        break;
    case HeadAggregation::Mean: what = tr("Layer %1, mean of its heads: where each token looks; rows sum to 1").arg(layer()); break;
    case HeadAggregation::Max: what = tr("Layer %1, strongest head per cell: where any head looks").arg(layer()); break;
    case HeadAggregation::Rollout:
        what = tr("Attention rollout through layers 0–%1: how much each token draws on every input token").arg(layer());
        break;
    }
    if (showsDifference()) what += tr(", with the mask minus without (red: gained, blue: lost)");
    else if (!m_analysis->controls.allowed.empty()) what += tr("; grey cells are masked");
    return what;
}

QString AttentionPanel::maskLegend() const { return m_maskLegend->isHidden() ? QString() : m_maskLegend->text(); }

}  // namespace ascope::ui
