#include "panels/head_arithmetic_panel.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>
#include <cmath>
#include <limits>

#include "widgets/heatmap_plot_widget.h"

namespace ascope::ui {

namespace {
// q and the keys share a figure (q on top), and so do the weighted values and their sum (at the bottom).
enum Figure { QueryKeys, Scores, Scaled, Masked, Softmax, WeightedSum, Neuron, FigureCount };
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

QStringList numbers(int n) {
    QStringList out;
    for (int i = 0; i < n; ++i) out << QString::number(i);
    return out;
}
}  // namespace

HeadArithmeticPanel::HeadArithmeticPanel(QWidget* parent) : QWidget(parent) {
    auto* outer = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    m_query = new QComboBox(this);
    m_query->setToolTip(tr("The query token whose attention is computed"));
    m_query->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_key = new QComboBox(this);
    m_key->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_key->setToolTip(tr("The key for the q × k view (bertviz's neuron view)"));
    m_layerBox = new QSpinBox(this);
    m_layerBox->setPrefix(tr("layer "));
    m_layerBox->setToolTip(tr("Layer (Page Up / Page Down)"));
    m_headBox = new QSpinBox(this);
    m_headBox->setPrefix(tr("head "));
    m_headBox->setToolTip(tr("Head ([ and ])"));
    top->addWidget(m_layerBox);
    top->addWidget(m_headBox);
    auto* queryLabel = new QLabel(tr("&Query"), this);
    queryLabel->setBuddy(m_query);
    auto* keyLabel = new QLabel(tr("&Key for q × k"), this);
    keyLabel->setBuddy(m_key);
    top->addWidget(queryLabel);
    top->addWidget(m_query);
    top->addWidget(keyLabel);
    top->addWidget(m_key);
    top->addStretch(1);
    outer->addLayout(top);
    m_caption = new QLabel(this);
    m_caption->setWordWrap(true);
    outer->addWidget(m_caption);

    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    m_sheet = new QWidget(scroll);
    auto* grid = new QGridLayout(m_sheet);
    const char* titles[FigureCount] = {
        QT_TR_NOOP("1. q, the query vector (top row), and k, every key vector"), QT_TR_NOOP("2. raw scores q · k"),
        QT_TR_NOOP("3. scaled: (q · k) / √dₖ"), QT_TR_NOOP("4. mask added (grey: −∞, not allowed)"),
        QT_TR_NOOP("5. softmax: the attention weights"),
        QT_TR_NOOP("6. each value vector v × its weight, and their sum (bottom row): the head's output"),
        QT_TR_NOOP("q × k per dimension for the chosen key")};
    // Two matrices span the sheet's width; the four score rows go two by two between them.
    static const int place[FigureCount][3] = {{0, 0, 2}, {1, 0, 1}, {1, 1, 1}, {2, 0, 1}, {2, 1, 1}, {3, 0, 2}, {4, 0, 2}};
    for (int f = 0; f < FigureCount; ++f) {
        auto* plot = new HeatmapPlotWidget(m_sheet);
        plot->setTitle(tr(titles[f]));
        plot->setColorMap(f == Softmax ? ColorMap::Viridis : ColorMap::Coolwarm);
        plot->setMinimumHeight(f == QueryKeys || f == WeightedSum ? 320 : 170);  // one row plus rotated token labels
        m_figures.push_back(plot);
        grid->addWidget(plot, place[f][0], place[f][1], 1, place[f][2]);
    }
    scroll->setWidget(m_sheet);
    outer->addWidget(scroll, 1);

    connect(m_query, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int i) {
        refresh();
        emit queryChanged(i);
    });
    connect(m_key, qOverload<int>(&QComboBox::currentIndexChanged), this, &HeadArithmeticPanel::refresh);
    auto headChanged = [this] {
        m_layer = m_layerBox->value();
        m_head = m_headBox->value();
        refresh();
        emit headChosen(m_layer, m_head);
    };
    connect(m_layerBox, qOverload<int>(&QSpinBox::valueChanged), this, headChanged);
    connect(m_headBox, qOverload<int>(&QSpinBox::valueChanged), this, headChanged);
}

void HeadArithmeticPanel::setAnalysis(TextAnalysisPtr analysis) {
    m_analysis = std::move(analysis);
    // The first time (or when the sentence's length changed), start at the first [MASK]: its row is
    // the one the prediction depends on.
    const bool fresh = m_query->count() != (m_analysis ? static_cast<int>(m_analysis->tokens.size()) : 0);
    int query = m_query->currentIndex(), key = m_key->currentIndex();
    if (fresh && m_analysis && !m_analysis->predictions.empty()) query = key = m_analysis->predictions.front().position;
    const QSignalBlocker b1(m_query), b2(m_key);
    m_query->clear();
    m_key->clear();
    if (m_analysis)
        for (std::size_t i = 0; i < m_analysis->tokens.size(); ++i) {
            const QString label = QStringLiteral("%1 (#%2)").arg(QString::fromStdString(labelOf(m_analysis->tokens[i]))).arg(i);
            m_query->addItem(label);
            m_key->addItem(label);
        }
    const int n = m_query->count();
    m_query->setCurrentIndex(n == 0 ? -1 : std::clamp(query, 0, n - 1));
    m_key->setCurrentIndex(n == 0 ? -1 : std::clamp(key, 0, n - 1));
    if (m_analysis && !m_analysis->attention.empty()) {
        const QSignalBlocker b3(m_layerBox), b4(m_headBox);
        m_layerBox->setRange(0, m_analysis->attention.layers - 1);
        m_headBox->setRange(0, m_analysis->attention.heads - 1);
    }
    refresh();
}

void HeadArithmeticPanel::setHead(int layer, int head) {
    const QSignalBlocker b1(m_layerBox), b2(m_headBox);
    m_layerBox->setValue(layer);
    m_headBox->setValue(head);
    m_layer = m_layerBox->value();
    m_head = m_headBox->value();
    refresh();
}

void HeadArithmeticPanel::setQuery(int token) { m_query->setCurrentIndex(token); }
void HeadArithmeticPanel::setKey(int token) { m_key->setCurrentIndex(token); }
int HeadArithmeticPanel::query() const { return m_query->currentIndex(); }
QString HeadArithmeticPanel::captionText() const { return m_caption->text(); }

void HeadArithmeticPanel::refresh() {
    m_steps = Steps{};
    const int i = m_query->currentIndex(), keyChoice = m_key->currentIndex();
    if (!m_analysis || m_analysis->trace.empty() || i < 0 || m_layer >= m_analysis->trace.layers ||
        m_head >= m_analysis->trace.heads) {
        m_caption->setText(tr("Analyse a sentence to see one head's arithmetic."));
        for (auto* f : m_figures) f->setMatrix(0, 0, {});
        return;
    }
    const auto& t = m_analysis->trace;
    const auto& controls = m_analysis->controls;
    const int n = t.tokens, d = t.headDim();
    QStringList keys;
    for (const auto& tok : m_analysis->tokens) keys << QString::fromStdString(labelOf(tok));
    const QString queryText = keys[i];
    const float* q = t.q(m_layer, i, m_head);
    std::vector<float> queryKeys(q, q + d), weighted, neuron;  // [1 + n][d] and [n + 1][d]
    const double scale = 1.0 / std::sqrt(static_cast<double>(d));
    for (int j = 0; j < n; ++j) {
        const float* k = t.k(m_layer, j, m_head);
        double dot = 0;
        for (int x = 0; x < d; ++x) dot += static_cast<double>(q[x]) * k[x];
        queryKeys.insert(queryKeys.end(), k, k + d);
        m_steps.scores.push_back(static_cast<float>(dot));
        m_steps.scaled.push_back(static_cast<float>(dot * scale));
        const bool allowed = controls.isAllowed(m_layer, m_head, i, j);
        m_steps.masked.push_back(allowed ? static_cast<float>(dot * scale) : -std::numeric_limits<float>::infinity());
    }
    // Softmax over the allowed keys (a row with none left spreads evenly, as Hugging Face's does).
    double top = -std::numeric_limits<double>::infinity(), sum = 0;
    for (float s : m_steps.masked) top = std::max(top, static_cast<double>(s));
    const bool noneAllowed = std::isinf(top);
    for (float s : m_steps.masked) sum += noneAllowed ? 1.0 : std::exp(static_cast<double>(s) - top);
    const bool ablated = controls.isAblated(m_layer, m_head);
    std::vector<double> out(static_cast<std::size_t>(d), 0.0);
    for (int j = 0; j < n; ++j) {
        const double p = (noneAllowed ? 1.0 : std::exp(static_cast<double>(m_steps.masked[static_cast<std::size_t>(j)]) - top)) / sum;
        m_steps.probabilities.push_back(static_cast<float>(p));
        const double modelP = m_analysis->attention.at(m_layer, m_head, i, j);
        m_steps.largestDifferenceToModel = std::max(m_steps.largestDifferenceToModel, std::abs((ablated ? 0.0 : p) - modelP));
        const float* v = t.v(m_layer, j, m_head);
        for (int x = 0; x < d; ++x) {
            weighted.push_back(static_cast<float>(p * v[x]));
            out[static_cast<std::size_t>(x)] += p * v[x];
        }
    }
    const float* modelOut = t.out(m_layer, i, m_head);
    for (int x = 0; x < d; ++x) {
        m_steps.output.push_back(static_cast<float>(out[static_cast<std::size_t>(x)]));
        m_steps.largestOutputDifference = std::max(m_steps.largestOutputDifference,
                                                   std::abs((ablated ? 0.0 : out[static_cast<std::size_t>(x)]) - modelOut[x]));
    }
    if (keyChoice >= 0)
        for (int x = 0; x < d; ++x) neuron.push_back(q[x] * t.k(m_layer, keyChoice, m_head)[x]);

    const QStringList dims = numbers(d), one{queryText};
    QStringList qkRows{tr("q: %1").arg(queryText)}, weightedRows;
    for (const auto& key : keys) {
        qkRows << tr("k: %1").arg(key);
        weightedRows << tr("p·v: %1").arg(key);
    }
    weightedRows << tr("sum");
    weighted.insert(weighted.end(), m_steps.output.begin(), m_steps.output.end());
    std::vector<float> maskedShown = m_steps.masked;
    for (auto& v : maskedShown)
        if (std::isinf(v)) v = kNaN;  // drawn grey, read "masked"
    m_figures[QueryKeys]->setMatrix(n + 1, d, queryKeys, qkRows, dims);
    m_figures[Scores]->setMatrix(1, n, m_steps.scores, one, keys);
    m_figures[Scaled]->setMatrix(1, n, m_steps.scaled, one, keys);
    m_figures[Masked]->setMatrix(1, n, maskedShown, one, keys);
    m_figures[Softmax]->setMatrix(1, n, m_steps.probabilities, one, keys);
    m_figures[WeightedSum]->setMatrix(n + 1, d, weighted, weightedRows, dims);
    m_figures[Neuron]->setMatrix(keyChoice >= 0 ? 1 : 0, d, neuron, keyChoice >= 0 ? QStringList{keys[keyChoice]} : QStringList{}, dims);
    for (int f = 0; f < FigureCount; ++f) {
        if (f == Softmax) m_figures[f]->setValueRange(0, 1);
        else m_figures[f]->setSymmetricRange();
    }
    m_figures[Neuron]->setTitle(keyChoice >= 0 ? tr("q × k per dimension for the key “%1” (they sum to %2)")
                                                      .arg(keys[keyChoice]).arg(m_steps.scores[static_cast<std::size_t>(keyChoice)], 0, 'f', 3)
                                               : tr("q × k per dimension"));
    QString caption = tr("Layer %1, head %2, query “%3”: dₖ = %4, so the scores are divided by √%4 = %5. ")
                          .arg(m_layer).arg(m_head).arg(queryText).arg(d).arg(std::sqrt(static_cast<double>(d)), 0, 'f', 3);
    if (noneAllowed)
        caption += tr("Every key is masked for this query: the softmax spreads evenly (Hugging Face's behaviour), which "
                      "is not real attention. ");
    caption += ablated ? tr("This head is switched off: the model multiplies these weights by 0, so its output is 0. ")
                       : tr("The softmax equals the model's attention row (largest difference %1) and the sum equals "
                            "the head's slice of the model's context (largest difference %2).")
                             .arg(m_steps.largestDifferenceToModel, 0, 'g', 2).arg(m_steps.largestOutputDifference, 0, 'g', 2);
    m_caption->setText(caption);
}

void HeadArithmeticPanel::renderExport(QPainter& painter, const QSize& size) {
    const QSize natural = exportSize();
    painter.save();
    painter.scale(static_cast<double>(size.width()) / natural.width(), static_cast<double>(size.height()) / natural.height());
    painter.fillRect(QRect(QPoint(0, 0), natural), Qt::white);
    // Each figure drawn as itself (vector graphics in SVG and PDF), where it sits on the sheet.
    for (auto* figure : m_figures) {
        painter.save();
        painter.translate(figure->geometry().topLeft());
        figure->renderExport(painter, figure->size());
        painter.restore();
    }
    painter.restore();
}

QSize HeadArithmeticPanel::exportSize() const { return m_sheet->size().isEmpty() ? QSize(900, 1400) : m_sheet->size(); }

}  // namespace ascope::ui
