#include "panels/text_mode_panel.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QProgressBar>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include "export/attention_data_writer.h"
#include "export/figure_exporter.h"
#include "panels/attention_panel.h"
#include "panels/positional_encoding_panel.h"
#include "widgets/attention_arc_widget.h"
#include "widgets/head_grid_widget.h"
#include "widgets/heatmap_plot_widget.h"
#include "widgets/message_banner.h"
#include "widgets/prediction_chart_widget.h"
#include "widgets/token_strip_widget.h"
#include "window/teaching_examples.h"

namespace ascope::ui {

TextModePanel::TextModePanel(QWidget* parent) : QWidget(parent), m_session(new TextSession(this)) {
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    m_modelLabel = new QLabel(tr("No model"), this);
    m_modelLabel->setToolTip(tr("The model in use (File > Open Model to change it)"));
    m_sentence = new QLineEdit(this);
    m_sentence->setPlaceholderText(tr("Type a sentence; use [MASK] or click a token below to mask it"));
    m_sentence->setToolTip(tr("The sentence to analyse (re-analysed as you type)"));
    m_sentence->setClearButtonEnabled(true);
    auto* examples = new QToolButton(this);
    examples->setText(tr("&Examples"));
    examples->setPopupMode(QToolButton::InstantPopup);
    examples->setToolTip(tr("Teaching example sentences"));
    auto* examplesMenu = new QMenu(examples);
    for (const auto& e : teachingExamples()) examplesMenu->addAction(e, this, [this, e] { setSentence(e); });
    examples->setMenu(examplesMenu);
    m_topK = new QSpinBox(this);
    m_topK->setRange(1, 50);
    m_topK->setValue(5);
    m_topK->setPrefix(tr("top-"));
    m_topK->setToolTip(tr("How many predictions to show for each [MASK]"));
    m_maskMode = new QComboBox(this);
    m_maskMode->addItem(tr("No attention mask"), static_cast<int>(AttentionMaskSpec::Mode::None));
    m_maskMode->addItem(tr("Causal mask (look-ahead)"), static_cast<int>(AttentionMaskSpec::Mode::Causal));
    m_maskMode->addItem(tr("Block tokens (click a key column)"), static_cast<int>(AttentionMaskSpec::Mode::Block));
    m_maskMode->setToolTip(tr("A mask inside scaled dot-product attention: disallowed scores get the float32 minimum "
                              "before the softmax, so they receive zero weight"));
    m_busy = new QProgressBar(this);
    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(80);
    m_busy->setVisible(false);
    m_busy->setToolTip(tr("The model is running"));
    top->addWidget(m_modelLabel);
    top->addWidget(m_sentence, 1);
    top->addWidget(examples);
    top->addWidget(m_topK);
    top->addWidget(m_maskMode);
    top->addWidget(m_busy);
    layout->addLayout(top);

    m_strip = new TokenStripWidget(this);
    m_stripArea = new QScrollArea(this);
    m_stripArea->setWidget(m_strip);
    m_stripArea->setWidgetResizable(true);
    m_stripArea->setFrameShape(QFrame::NoFrame);
    m_stripArea->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Room for one row of chips and the horizontal scroll bar a long sentence brings, so that the
    // bar never covers the chips.
    m_stripArea->setFixedHeight(m_strip->rowHeight() + m_stripArea->horizontalScrollBar()->sizeHint().height() + 2);
    layout->addWidget(m_stripArea);

    m_message = new MessageBanner(this);
    layout->addWidget(m_message);

    m_tabs = new QTabWidget(this);
    auto* split = new QSplitter(Qt::Horizontal, this);
    m_attention = new AttentionPanel(split);
    auto* predScroll = new QScrollArea(split);
    m_predictions = new PredictionChartWidget(predScroll);
    predScroll->setWidget(m_predictions);
    predScroll->setWidgetResizable(true);
    predScroll->setMinimumWidth(260);
    predScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    split->addWidget(m_attention);
    split->addWidget(predScroll);
    split->setStretchFactor(0, 5);
    split->setStretchFactor(1, 2);
    split->setSizes({800, 360});
    m_grid = new HeadGridWidget(this);
    m_arcs = new AttentionArcWidget(this);
    m_positional = new PositionalEncodingPanel(this);
    // In View order.
    m_tabs->addTab(split, tr("&Attention"));
    m_tabs->addTab(m_grid, tr("&Model view"));
    m_tabs->addTab(m_arcs, tr("&Head view"));
    m_tabs->addTab(m_positional, tr("&Positional encodings"));
    layout->addWidget(m_tabs, 1);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(150);
    connect(&m_debounce, &QTimer::timeout, this, &TextModePanel::retokenize);
    connect(m_sentence, &QLineEdit::textChanged, this, [this] { m_debounce.start(); });
    connect(m_topK, qOverload<int>(&QSpinBox::valueChanged), this, &TextModePanel::requestRun);
    connect(m_strip, &TokenStripWidget::tokenToggled, this, &TextModePanel::toggleToken);
    connect(m_attention, &AttentionPanel::selectionChanged, this, &TextModePanel::updateViewsForSelection);
    connect(m_attention, &AttentionPanel::colorMapChanged, m_grid, &HeadGridWidget::setColorMap);
    connect(m_grid, &HeadGridWidget::cellClicked, this, [this](int l, int h) {
        m_attention->setSelection(l, h);
        showView(View::Attention);
    });
    connect(m_grid, &HeadGridWidget::cellRightClicked, this, &TextModePanel::toggleAblated);
    connect(m_maskMode, qOverload<int>(&QComboBox::currentIndexChanged), this, &TextModePanel::requestRun);
    connect(m_attention->heatmap(), &HeatmapPlotWidget::cellClicked, this, [this](int, int col) {
        if (maskMode() != AttentionMaskSpec::Mode::Block) return;
        const auto& shown = m_attention->shownMatrix();
        if (col >= 0 && col < static_cast<int>(shown.tokenIndex.size())) toggleBlockedKey(shown.tokenIndex[static_cast<std::size_t>(col)]);
    });
    connect(m_session, &TextSession::busyChanged, m_busy, &QWidget::setVisible);
    connect(m_session, &TextSession::modelLoading, this,
            [this](const QString& dir) { emit statusMessage(tr("Loading %1…").arg(dir), 0); });
    connect(m_session, &TextSession::modelLoaded, this, &TextModePanel::onModelLoaded);
    connect(m_session, &TextSession::modelFailed, this, [this](const QString& msg) {
        m_message->showError(tr("Could not open the model: %1").arg(msg));
        emit statusMessage(tr("Model not loaded"), 5000);
    });
    connect(m_session, &TextSession::analysisReady, this, &TextModePanel::showAnalysis);
    connect(m_session, &TextSession::analysisFailed, m_message, &MessageBanner::showError);
}

void TextModePanel::onModelLoaded(const QString& dir) {
    const auto& c = m_session->model()->config();
    m_modelLabel->setText(QFileInfo(dir).fileName());
    m_modelLabel->setToolTip(tr("%1\n%2 layers, %3 heads, hidden %4, vocabulary %5")
                                 .arg(dir).arg(c.numLayers).arg(c.numHeads).arg(c.hiddenSize).arg(c.vocabSize));
    emit statusMessage(tr("Loaded %1 (%2 layers x %3 heads)").arg(dir).arg(c.numLayers).arg(c.numHeads), 5000);
    emit modelOpened(dir);
    m_positional->setModel(c.hiddenSize, c.maxPositionEmbeddings, m_session->positionEmbeddings());
    m_message->clearMessage();
    retokenize();
}

void TextModePanel::openModel(const QString& dir) {
    m_ablated.clear();  // heads of the previous model
    m_session->openModel(dir);
}

void TextModePanel::setMaskMode(AttentionMaskSpec::Mode mode) {
    m_maskMode->setCurrentIndex(m_maskMode->findData(static_cast<int>(mode)));
}

AttentionMaskSpec::Mode TextModePanel::maskMode() const {
    return static_cast<AttentionMaskSpec::Mode>(m_maskMode->currentData().toInt());
}

void TextModePanel::toggleBlockedKey(int token) {
    if (token < 0 || token >= static_cast<int>(m_tokens.size())) return;
    if (!m_blockedKeys.erase(token)) m_blockedKeys.insert(token);
    if (maskMode() != AttentionMaskSpec::Mode::Block) setMaskMode(AttentionMaskSpec::Mode::Block);  // runs via the box
    else requestRun();
}

void TextModePanel::toggleAblated(int layer, int head) {
    if (!m_ablated.erase({layer, head})) m_ablated.insert({layer, head});
    emit statusMessage(m_ablated.count({layer, head}) ? tr("Layer %1, head %2 switched off").arg(layer).arg(head)
                                                      : tr("Layer %1, head %2 switched on again").arg(layer).arg(head), 3000);
    requestRun();
}

void TextModePanel::setSentence(const QString& text) {
    m_sentence->setText(text);
    m_debounce.stop();
    retokenize();
}

void TextModePanel::retokenize() {
    const auto model = m_session->model();
    if (!model) return;
    m_tokens = model->tokenizer().encode(m_sentence->text().toStdString());
    m_masked.clear();
    m_blockedKeys.clear();  // token indices of the old sentence
    m_strip->setTokens(m_sentence->text(), m_tokens, m_masked);
    requestRun();
}

void TextModePanel::toggleToken(int index) {
    if (index < 0 || index >= static_cast<int>(m_tokens.size())) return;
    if (m_tokens[static_cast<std::size_t>(index)].text == "[MASK]") return;  // typed [MASK]: nothing to restore
    if (!m_masked.erase(index)) m_masked.insert(index);
    m_strip->setTokens(m_sentence->text(), m_tokens, m_masked);
    requestRun();
}

void TextModePanel::requestRun() {
    const auto model = m_session->model();
    if (!model || m_tokens.empty()) return;
    if (static_cast<int>(m_tokens.size()) > model->maxTokens()) {
        m_message->showError(tr("The sentence is %1 tokens long; this model takes at most %2. Showing the previous result.")
                                 .arg(m_tokens.size()).arg(model->maxTokens()));
        return;
    }
    std::vector<Token> tokens = m_tokens;
    for (int i : m_masked) {
        tokens[static_cast<std::size_t>(i)].id = model->tokenizer().maskId();
        tokens[static_cast<std::size_t>(i)].text = "[MASK]";
    }
    TextRunOptions options;
    options.topK = m_topK->value();
    options.attentionMask.mode = maskMode();
    if (options.attentionMask.mode == AttentionMaskSpec::Mode::Block)
        options.attentionMask.blockedKeys.assign(m_blockedKeys.begin(), m_blockedKeys.end());
    for (const auto& [layer, head] : m_ablated) options.ablate.push_back({layer, head});
    m_session->requestAnalysis(m_sentence->text(), tokens, options);
}

void TextModePanel::showAnalysis(TextAnalysisPtr analysis) {
    m_analysis = std::move(analysis);
    m_message->clearMessage();
    m_attention->setAnalysis(m_analysis);
    m_predictions->setPredictions(*m_analysis);
    m_grid->setAttention(m_analysis->attention);
    m_grid->setHeadMask(m_analysis->controls.headMask);
    updateViewsForSelection();
    emit statusMessage(tr("%1 tokens, %2 layers x %3 heads").arg(m_analysis->tokens.size())
                           .arg(m_analysis->attention.layers).arg(m_analysis->attention.heads), 4000);
    emit analysisShown();
}

void TextModePanel::updateViewsForSelection() {
    if (!m_analysis) return;
    const QString slug = sentenceSlug();
    m_grid->setHighlighted(m_attention->layer(), m_attention->head());
    const auto& shown = m_attention->shownMatrix();
    QStringList labels;
    for (int i : shown.tokenIndex) labels << QString::fromStdString(m_analysis->tokens[static_cast<std::size_t>(i)].text);
    m_arcs->setAttention(labels, shown.values, m_attention->selectionTitle());
    m_attention->heatmap()->setExportBaseName(QStringLiteral("attention_%1_%2").arg(m_attention->selectionSlug(), slug));
    m_arcs->setExportBaseName(QStringLiteral("head_view_%1_%2").arg(m_attention->selectionSlug(), slug));
    m_grid->setExportBaseName(QStringLiteral("model_view_%1").arg(slug));
    m_predictions->setExportBaseName(QStringLiteral("predictions_%1").arg(slug));
}

QString TextModePanel::sentenceSlug() const { return slugify(m_sentence->text()); }
QString TextModePanel::messageText() const { return m_message->shownText(); }
void TextModePanel::showError(const QString& text) { m_message->showError(text); }
void TextModePanel::showView(View view) { m_tabs->setCurrentIndex(static_cast<int>(view)); }
TextModePanel::View TextModePanel::currentView() const { return static_cast<View>(m_tabs->currentIndex()); }
void TextModePanel::stepLayer(int delta) { m_attention->stepLayer(delta); }
void TextModePanel::stepHead(int delta) { m_attention->stepHead(delta); }

void TextModePanel::focusSentence() {
    m_sentence->setFocus();
    m_sentence->selectAll();
}

ExportableView* TextModePanel::currentExportable() const {
    switch (currentView()) {
    case View::Attention: return m_attention->heatmap();
    case View::ModelView: return m_grid;
    case View::HeadView: return m_arcs;
    case View::Positional: break;
    }
    return m_positional;
}

void TextModePanel::exportData(const QString& folder) {
    if (!m_analysis) {
        m_message->showError(tr("Nothing to export yet: analyse a sentence first."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Attention Data (all layers and heads)"),
        QDir(folder).filePath(QStringLiteral("attention_%1.npy").arg(sentenceSlug())),
        tr("NumPy array (*.npy);;CSV table (*.csv);;JSON (*.json)"));
    if (path.isEmpty()) return;
    std::vector<std::string> labels;
    for (const auto& t : m_analysis->tokens) labels.push_back(t.text);
    if (const QString error = writeAttentionFile(path, m_analysis->attention, labels); !error.isEmpty())
        m_message->showError(error);
    else
        emit statusMessage(tr("Wrote %1").arg(path), 5000);
}

}  // namespace ascope::ui
