#include "panels/text_mode_panel.h"

#include <algorithm>
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
#include "panels/head_arithmetic_panel.h"
#include "panels/heads_panel.h"
#include "panels/layer_predictions_panel.h"
#include "panels/positional_encoding_panel.h"
#include "panels/side_by_side_panel.h"
#include "widgets/attention_arc_widget.h"
#include "widgets/head_grid_widget.h"
#include "widgets/heatmap_plot_widget.h"
#include "widgets/mask_controls_widget.h"
#include "widgets/message_banner.h"
#include "widgets/prediction_chart_widget.h"
#include "widgets/entity_list_widget.h"
#include "widgets/long_text_widget.h"
#include "widgets/token_strip_widget.h"
#include "window/teaching_examples.h"

namespace ascope::ui {

TextModePanel::TextModePanel(QWidget* parent) : QWidget(parent), m_session(new TextSession(this)) {
    auto* layout = new QVBoxLayout(this);
    m_controlsRow = new QWidget(this);
    auto* top = new QHBoxLayout(m_controlsRow);
    top->setContentsMargins(0, 0, 0, 0);
    m_modelLabel = new QLabel(tr("No model"), this);
    m_modelLabel->setToolTip(tr("The model in use (File > Open Model to change it)"));
    m_sentence = new QLineEdit(this);
    m_sentence->setPlaceholderText(tr("Type a sentence; use [MASK] or click a token below to mask it"));
    m_sentence->setToolTip(tr("The sentence to analyse (re-analysed as you type)"));
    m_sentence->setClearButtonEnabled(true);
    m_pairButton = new QToolButton(this);
    m_pairButton->setText(tr("A+&B"));
    m_pairButton->setCheckable(true);
    m_pairButton->setToolTip(tr("Add a second sentence: the pair [CLS] A [SEP] B [SEP], B with token type 1"));
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
    m_maskControls = new MaskControlsWidget(this);
    m_busy = new QProgressBar(this);
    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(80);
    m_busy->setVisible(false);
    m_busy->setToolTip(tr("The model is running"));
    top->addWidget(m_modelLabel);
    top->addWidget(m_sentence, 1);
    top->addWidget(m_pairButton);
    top->addWidget(examples);
    top->addWidget(m_topK);
    top->addWidget(m_maskControls);
    top->addWidget(m_busy);
    layout->addWidget(m_controlsRow);
    m_pairRow = new QWidget(this);
    auto* pairLayout = new QHBoxLayout(m_pairRow);
    pairLayout->setContentsMargins(0, 0, 0, 0);
    m_sentenceB = new QLineEdit(m_pairRow);
    m_sentenceB->setPlaceholderText(tr("Sentence B of the pair (e.g. a question's answer, or the next sentence)"));
    m_sentenceB->setClearButtonEnabled(true);
    auto* pairLabel = new QLabel(tr("Sentence &B:"), m_pairRow);
    pairLabel->setBuddy(m_sentenceB);
    pairLayout->addWidget(pairLabel);
    pairLayout->addWidget(m_sentenceB, 1);
    m_pairRow->hide();
    layout->addWidget(m_pairRow);
    connect(m_pairButton, &QToolButton::toggled, this, [this](bool on) {
        m_pairRow->setVisible(on);
        if (on) m_sentenceB->setFocus();
        else if (!m_sentenceB->text().isEmpty()) m_sentenceB->clear();  // one sentence again
    });
    connect(m_sentenceB, &QLineEdit::textChanged, this, [this] { m_debounce.start(); });
    m_lessonText = new QLabel(this);
    m_lessonText->setWordWrap(true);
    m_lessonText->setAlignment(Qt::AlignCenter);
    m_lessonText->hide();
    layout->addWidget(m_lessonText);
    m_caption = new QLabel(this);
    m_caption->setWordWrap(true);
    m_caption->setAlignment(Qt::AlignCenter);
    m_caption->hide();
    layout->addWidget(m_caption);

    m_strip = new TokenStripWidget(this);
    m_stripArea = new QScrollArea(this);
    m_stripArea->setWidget(m_strip);
    m_stripArea->setWidgetResizable(true);
    m_stripArea->setFrameShape(QFrame::NoFrame);
    m_stripArea->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Room for one row of chips and the horizontal scroll bar a long sentence brings, so that the
    // bar never covers the chips.
    fitStripHeight();
    layout->addWidget(m_stripArea);
    m_longText = new LongTextWidget(this);
    m_longText->hide();
    layout->addWidget(m_longText);

    m_message = new MessageBanner(this);
    layout->addWidget(m_message);
    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    m_note->hide();
    layout->addWidget(m_note);

    m_tabs = new QTabWidget(this);
    auto* split = new QSplitter(Qt::Horizontal, this);
    m_attention = new AttentionPanel(split);
    auto* predScroll = new QScrollArea(split);
    auto* predColumn = new QWidget(predScroll);
    auto* predLayout = new QVBoxLayout(predColumn);
    predLayout->setContentsMargins(0, 0, 0, 0);
    m_entities = new EntityListWidget(predColumn);
    m_entities->hide();
    predLayout->addWidget(m_entities);
    m_predictions = new PredictionChartWidget(predColumn);
    predLayout->addWidget(m_predictions, 1);
    predScroll->setWidget(predColumn);
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
    m_heads = new HeadsPanel(this);
    m_arithmetic = new HeadArithmeticPanel(this);
    m_layers = new LayerPredictionsPanel(this);
    // In View order.
    m_tabs->addTab(split, tr("&Attention"));
    m_tabs->addTab(m_grid, tr("&Model view"));
    m_tabs->addTab(m_arcs, tr("&Head view"));
    m_tabs->addTab(m_heads, tr("Hea&ds"));
    m_tabs->addTab(m_arithmetic, tr("&One head, step by step"));
    m_tabs->addTab(m_layers, tr("&By layer"));
    m_tabs->addTab(m_positional, tr("&Positional encodings"));
    m_sideBySide = new SideBySidePanel(this);
    m_tabs->addTab(m_sideBySide, tr("&Side by side"));
    layout->addWidget(m_tabs, 1);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(150);
    connect(&m_debounce, &QTimer::timeout, this, &TextModePanel::retokenize);
    connect(m_sentence, &QLineEdit::textChanged, this, [this] { m_debounce.start(); });
    connect(m_topK, qOverload<int>(&QSpinBox::valueChanged), this, &TextModePanel::requestRun);
    connect(m_strip, &TokenStripWidget::tokenToggled, this, &TextModePanel::toggleToken);
    connect(m_entities, &EntityListWidget::entitySelected, this, &TextModePanel::highlightEntity);
    connect(m_longText, &LongTextWidget::settingsChanged, this, [this] {
        forgetImportance();
        requestRun();
    });
    connect(m_longText, &LongTextWidget::currentWindowChanged, this, [this](int index) { showWindow(index, true); });
    connect(m_attention, &AttentionPanel::selectionChanged, this, &TextModePanel::updateViewsForSelection);
    connect(m_attention, &AttentionPanel::colorMapChanged, m_grid, &HeadGridWidget::setColorMap);
    connect(m_grid, &HeadGridWidget::cellClicked, this, [this](int l, int h) {
        m_attention->setSelection(l, h);
        showView(View::Attention);
    });
    connect(m_grid, &HeadGridWidget::cellRightClicked, this, &TextModePanel::toggleAblated);
    connect(m_strip, &TokenStripWidget::blockToggled, this, &TextModePanel::toggleBlockedKey);
    connect(m_maskControls, &MaskControlsWidget::changed, this, [this] {
        refreshStrip();
        forgetImportance();
        requestRun();
    });
    connect(m_attention->heatmap(), &HeatmapPlotWidget::cellClicked, this, [this](int row, int col) {
        const auto choice = m_maskControls->choice();
        if (choice == MaskControlsWidget::Choice::Custom) return paintHeatmapCell(row, col, true);
        if (choice != MaskControlsWidget::Choice::Block) return;
        const auto& shown = m_attention->shownMatrix();
        if (col >= 0 && col < static_cast<int>(shown.tokenIndex.size()))
            toggleBlockedKey(wholeTextIndex(shown.tokenIndex[static_cast<std::size_t>(col)]));
    });
    connect(m_attention->heatmap(), &HeatmapPlotWidget::cellDragged, this, [this](int row, int col) {
        if (m_maskControls->choice() == MaskControlsWidget::Choice::Custom) paintHeatmapCell(row, col, false);
    });
    connect(m_attention, &AttentionPanel::selectionChanged, m_arithmetic, &HeadArithmeticPanel::setHead);
    connect(m_arithmetic, &HeadArithmeticPanel::headChosen, m_attention, &AttentionPanel::setSelection);
    connect(m_heads, &HeadsPanel::headChosen, this, [this](int l, int h) {
        m_attention->setSelection(l, h);
        showView(View::Attention);
    });
    connect(m_heads, &HeadsPanel::importanceRequested, this, &TextModePanel::requestHeadImportance);
    connect(m_heads, &HeadsPanel::importanceCancelRequested, m_session, &TextSession::cancelHeadImportance);
    connect(m_session, &TextSession::headImportanceProgress, m_heads, &HeadsPanel::setImportanceProgress);
    connect(m_session, &TextSession::headImportanceReady, this, [this](HeadImportancePtr importance) {
        m_heads->setImportanceRunning(false);
        m_heads->setImportance(std::move(importance));
    });
    connect(m_session, &TextSession::headImportanceFailed, m_heads, &HeadsPanel::setImportanceError);
    connect(m_session, &TextSession::headImportanceCancelled, this, [this] { m_heads->setImportanceError(tr("Cancelled.")); });
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (m_presenting) m_caption->setText(viewCaption());
        // The step-by-step and layer views need extra numbers from the model: run again for them.
        if (!m_analysis) return;
        if ((currentView() == View::OneHead && m_analysis->trace.empty()) ||
            (currentView() == View::Layers && m_analysis->layerPredictions.empty() && !m_analysis->predictions.empty()))
            requestRun();
    });
    connect(m_session, &TextSession::busyChanged, m_busy, &QWidget::setVisible);
    connect(m_session, &TextSession::modelLoading, this,
            [this](const QString& dir) { emit statusMessage(tr("Loading %1…").arg(dir), 0); });
    connect(m_session, &TextSession::modelLoaded, this, &TextModePanel::onModelLoaded);
    connect(m_session, &TextSession::modelFailed, this, [this](const QString& msg) {
        m_whenModelReady = nullptr;
        m_loadingDir.clear();
        m_message->showError(tr("Could not open the model: %1").arg(msg));
        emit statusMessage(tr("Model not loaded"), 5000);
    });
    connect(m_session, &TextSession::analysisReady, this, [this](TextAnalysisPtr analysis, TextAnalysisPtr baseline) {
        m_windowed.reset();
        m_truncatedKept = m_requestedKept;
        showAnalysis(std::move(analysis), std::move(baseline));
    });
    connect(m_session, &TextSession::windowedAnalysisReady, this, &TextModePanel::showWindowedAnalysis);
    connect(m_session, &TextSession::analysisFailed, m_message, &MessageBanner::showError);
}

void TextModePanel::onModelLoaded(const QString& dir) {
    const auto& c = m_session->model()->config();
    m_modelLabel->setText(QFileInfo(dir).fileName());
    m_modelLabel->setToolTip(tr("%1\n%2 layers, %3 heads, hidden %4, vocabulary %5")
                                 .arg(dir).arg(c.numLayers).arg(c.numHeads).arg(c.hiddenSize).arg(c.vocabSize));
    emit statusMessage(tr("Loaded %1 (%2 layers x %3 heads)").arg(dir).arg(c.numLayers).arg(c.numHeads), 5000);
    emit modelOpened(dir);
    m_positional->setModel(c.embeddingWidth(), c.maxTokens(), m_session->positionEmbeddings());  // ALBERT: embedding_size
    m_longText->setModelLimit(c.maxTokens());  // RoBERTa: positions after its offset
    m_sideBySide->setPrimaryModel(m_session->model(), dir);
    m_message->clearMessage();
    m_loadingDir.clear();
    retokenize();
    if (auto then = std::move(m_whenModelReady)) {
        m_whenModelReady = nullptr;
        then();
    }
}

QString TextModePanel::modelDirectory() const {
    const auto model = m_session->model();
    return model ? QString::fromStdString(model->directory()) : QString();
}

QString TextModePanel::sentence() const { return m_sentence->text(); }
QString TextModePanel::sentencePair() const { return m_sentenceB->text(); }

void TextModePanel::setSentencePair(const QString& text) {
    m_pairButton->setChecked(!text.isEmpty());
    m_sentenceB->setText(text);
    m_debounce.stop();
    retokenize();
}

QString TextModePanel::analysedText() const {
    if (m_sentenceB->text().isEmpty()) return m_sentence->text();
    return QString::fromStdString(TextTokenizer::pairText(m_sentence->text().toStdString(), m_sentenceB->text().toStdString()));
}

void TextModePanel::whenModelReady(const QString& dir, std::function<void()> then) {
    const auto same = [](const QString& a, const QString& b) {
        return !a.isEmpty() && !b.isEmpty() && QFileInfo(a).canonicalFilePath() == QFileInfo(b).canonicalFilePath();
    };
    if (same(modelDirectory(), dir) && m_loadingDir.isEmpty()) {
        m_whenModelReady = nullptr;
        then();
        return;
    }
    m_whenModelReady = std::move(then);
    if (!same(m_loadingDir, dir)) openModel(dir);
}

bool TextModePanel::setMaskedTokens(const std::set<int>& indices) {
    bool complete = true;
    m_masked.clear();
    for (int i : indices) {
        if (i >= 0 && i < static_cast<int>(m_tokens.size()) && !isTypedMask(m_tokens[static_cast<std::size_t>(i)])) m_masked.insert(i);
        else complete = false;
    }
    forgetImportance();
    refreshStrip();
    requestRun();
    return complete;
}

void TextModePanel::setAblatedHeads(const std::set<std::pair<int, int>>& heads) {
    m_ablated = heads;
    forgetImportance();
    requestRun();
}

void TextModePanel::openModel(const QString& dir) {
    m_loadingDir = dir;
    m_ablated.clear();  // heads of the previous model
    forgetImportance();
    m_session->openModel(dir);
}

void TextModePanel::setMaskMode(AttentionMaskSpec::Mode mode) {
    using C = MaskControlsWidget::Choice;
    m_maskControls->setChoice(mode == AttentionMaskSpec::Mode::Causal ? C::Causal
                              : mode == AttentionMaskSpec::Mode::Block ? C::Block
                              : mode == AttentionMaskSpec::Mode::Custom ? C::Custom
                                                                        : C::None);
}

AttentionMaskSpec::Mode TextModePanel::maskMode() const { return m_maskControls->spec().mode; }

void TextModePanel::toggleBlockedKey(int token) { m_maskControls->toggleBlockedKey(token); }

void TextModePanel::paintHeatmapCell(int row, int col, bool start) {
    const auto& shown = m_attention->shownMatrix();
    if (row < 0 || col < 0 || row >= static_cast<int>(shown.tokenIndex.size()) || col >= static_cast<int>(shown.tokenIndex.size()))
        return;
    const int i = shown.tokenIndex[static_cast<std::size_t>(row)], j = shown.tokenIndex[static_cast<std::size_t>(col)];
    const int layer = m_attention->layer(), head = m_attention->head();
    if (start) m_paintAllowed = !m_maskControls->paintedAllowed(layer, head, i, j);
    m_maskControls->paintCell(layer, head, i, j, m_paintAllowed);
}

void TextModePanel::setPresentation(bool on) {
    m_presenting = on;
    // The sentence stays (a lecturer may type); the rest of the top row goes.
    for (int i = 0; i < m_controlsRow->layout()->count(); ++i)
        if (QWidget* w = m_controlsRow->layout()->itemAt(i)->widget(); w && w != m_sentence) w->setVisible(!on);
    if (!on) m_busy->setVisible(m_session->isBusy());
    m_attention->setControlsVisible(!on);
    QFont big = font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setBold(true);
    m_caption->setFont(big);
    m_caption->setVisible(on);
    m_caption->setText(viewCaption());
    m_lessonText->setVisible(on && !m_lessonText->text().isEmpty());
}

void TextModePanel::setLessonText(const QString& text) {
    m_lessonText->setText(text);
    m_lessonText->setVisible(m_presenting && !text.isEmpty());
}

QString TextModePanel::lessonText() const { return m_lessonText->text(); }

QString TextModePanel::viewCaption() const {
    switch (currentView()) {
    case View::Attention: return m_attention->captionText();
    case View::ModelView: return tr("Every layer (rows) and head (columns) at once: each small map is one head's attention");
    case View::HeadView: return tr("%1: lines from each token to where it looks, thicker for more attention").arg(m_attention->selectionTitle());
    case View::Heads: return tr("What each head does: one number per head, layers down, heads across");
    case View::OneHead: return tr("Scaled dot-product attention of one head, one step at a time");
    case View::Layers: return m_layers->captionText();
    case View::Positional: return tr("Positional encodings: how the model tells the first token from the fifth");
    case View::SideBySide: return tr("Two sentences, the same layer and head: A, B, and where B attends more (red) or less (blue)");
    }
    return {};
}

bool TextModePanel::maskHoveredToken() {
    const QPoint cell = m_attention->heatmap()->hoveredCell();
    const auto& shown = m_attention->shownMatrix();
    if (currentView() != View::Attention || cell.x() < 0 || cell.x() >= static_cast<int>(shown.tokenIndex.size())) return false;
    const int token = wholeTextIndex(shown.tokenIndex[static_cast<std::size_t>(cell.x())]);
    return toggleToken(token);
}

bool TextModePanel::isTypedMask(const Token& t) const {
    const auto model = m_session->model();
    return model ? model->tokenizer().isMask(t) : t.text == "[MASK]";
}

void TextModePanel::refreshStrip() {
    if (const auto model = m_session->model())
        m_strip->setMaskToken(QString::fromStdString(model->tokenizer().maskToken()), model->tokenizer().maskId());
    m_strip->setTokens(analysedText(), m_tokens, m_masked, m_maskControls->blockedKeys());
    if (m_analysis && m_analysis->task == TextTask::TokenLabels) showTokenLabels();
    else fitStripHeight();
}

void TextModePanel::fitStripHeight() {
    // Room for one row of chips (two lines when labels are under them) and the horizontal scroll
    // bar a long sentence brings, so that the bar never covers the chips.
    m_stripArea->setFixedHeight(m_strip->rowHeight(m_strip->hasTags()) + m_stripArea->horizontalScrollBar()->sizeHint().height() + 2);
}

void TextModePanel::showTokenLabels() {
    const bool tokenLabels = m_analysis && m_analysis->task == TextTask::TokenLabels;
    m_entities->setVisible(tokenLabels);
    std::vector<TokenStripWidget::Tag> tags;
    if (tokenLabels) {
        const TextAnalysis& labelled = results();
        const auto colors = EntityListWidget::colorsFor(labelled.labelNames);
        // The labels belong to the strip's tokens only while it shows the analysed ones (the
        // windows' merged tokens, or those truncation kept).
        const auto labelIndex = [&](std::size_t i) { return m_windowed ? static_cast<int>(i) : shownIndex(static_cast<int>(i)); };
        bool same = m_strip->chipCount() == static_cast<int>(m_tokens.size());
        for (std::size_t i = 0; same && i < m_tokens.size(); ++i) {
            const int j = labelIndex(i);
            if (j < 0) continue;
            same = j < static_cast<int>(labelled.tokens.size()) && j < static_cast<int>(labelled.tokenLabels.size()) &&
                   (m_tokens[i].id == labelled.tokens[static_cast<std::size_t>(j)].id || m_masked.count(static_cast<int>(i)));
        }
        for (std::size_t i = 0; same && i < m_tokens.size(); ++i) {
            const int j = labelIndex(i);
            if (j < 0 || !isLabelledToken(labelled.tokens[static_cast<std::size_t>(j)])) {
                tags.push_back({});
                continue;
            }
            const auto& best = labelled.tokenLabels[static_cast<std::size_t>(j)].best;
            const QString label = QString::fromStdString(best.label);
            tags.push_back({label, colors.value(QString::fromStdString(entityType(best.label))), best.score});
        }
    }
    m_strip->setTags(tags);
    fitStripHeight();
}

void TextModePanel::forgetImportance() {
    m_session->cancelHeadImportance();
    m_heads->setImportance(nullptr);
}

void TextModePanel::requestHeadImportance() {
    if (!m_session->model() || m_tokens.empty()) return;
    m_heads->setImportance(nullptr);
    m_heads->setImportanceRunning(true);
    // A long text: the window (or truncated text) the views show.
    const bool longText = m_analysis && (m_windowed || !m_truncatedKept.empty());
    m_session->requestHeadImportance(longText ? m_analysis->tokens : editedTokens(), runOptions());
}

void TextModePanel::toggleAblated(int layer, int head) {
    if (!m_ablated.erase({layer, head})) m_ablated.insert({layer, head});
    forgetImportance();
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
    const std::string a = m_sentence->text().toStdString(), b = m_sentenceB->text().toStdString();
    m_tokens = b.empty() ? model->tokenizer().encode(a) : model->tokenizer().encodePair(a, b);
    m_masked.clear();
    m_maskControls->resetForTokens(static_cast<int>(m_tokens.size()));  // token indices of the old sentence
    forgetImportance();
    refreshStrip();
    requestRun();
}

bool TextModePanel::toggleToken(int index) {
    if (index < 0 || index >= static_cast<int>(m_tokens.size())) return false;
    const auto& token = m_tokens[static_cast<std::size_t>(index)];
    if (isAddedToken(token)) return false;  // [CLS]/[SEP] the tokenizer added (as the strip's chips)
    if (isTypedMask(token)) return false;  // typed [MASK]: nothing to restore
    if (!m_masked.erase(index)) m_masked.insert(index);
    forgetImportance();
    refreshStrip();
    requestRun();
    return true;
}

void TextModePanel::requestRun() {
    const auto model = m_session->model();
    if (!model || m_tokens.empty()) return;
    const int length = static_cast<int>(m_tokens.size());
    const bool tooLong = length > model->maxTokens();
    const bool pair = !m_sentenceB->text().isEmpty();
    m_longText->setVisible(tooLong);
    m_longText->setPair(pair);
    m_requestedKept.clear();
    if (!tooLong) return m_session->requestAnalysis(analysedText(), editedTokens(), runOptions(), m_maskControls->wantsBaseline());
    m_longText->setTextLength(length);
    if (pair || m_longText->mode() == LongTextWidget::Mode::Truncate) {  // a pair: longest first
        const auto edited = editedTokens();
        m_requestedKept = truncationKept(edited, model->maxTokens() - std::max(0, m_maskControls->spec().padding));
        std::vector<Token> tokens;
        for (int i : m_requestedKept) tokens.push_back(edited[static_cast<std::size_t>(i)]);
        return m_session->requestAnalysis(analysedText(), tokens, runOptions(), m_maskControls->wantsBaseline());
    }
    m_session->requestWindowedAnalysis(analysedText(), editedTokens(), m_longText->window(), m_longText->stride(), runOptions());
}

void TextModePanel::showWindowedAnalysis(WindowedAnalysisPtr windowed) {
    const bool first = !m_windowed;
    m_windowed = std::move(windowed);
    m_truncatedKept.clear();
    m_longText->setWindows(m_windowed->firstToken, m_windowed->window);
    showWindow(m_longText->currentWindow(), first);
}

void TextModePanel::showWindow(int index, bool scrollStrip) {
    if (!m_windowed || index < 0 || index >= static_cast<int>(m_windowed->windows.size())) return;
    showAnalysis(TextAnalysisPtr(m_windowed, &m_windowed->windows[static_cast<std::size_t>(index)]), nullptr);
    updateLongTextBand(scrollStrip);
}

void TextModePanel::stepWindow(int delta) { m_longText->stepWindow(delta); }

void TextModePanel::updateLongTextBand(bool scrollStrip) {
    int first = -1, last = -1;
    if (m_windowed) {
        const int w = m_longText->currentWindow();
        first = m_windowed->firstToken[static_cast<std::size_t>(w)];
        last = first + static_cast<int>(m_windowed->windows[static_cast<std::size_t>(w)].tokens.size()) - 3;
    } else if (!m_truncatedKept.empty()) {
        // Runs of the tokens truncation kept (the end token of a single text has no band of its own).
        std::vector<std::pair<int, int>> runs;
        const bool pair = m_longText->isPair();
        for (std::size_t k = 0; k < m_truncatedKept.size(); ++k) {
            const int i = m_truncatedKept[k];
            if (!pair && k + 1 == m_truncatedKept.size() && k > 0 && i != m_truncatedKept[k - 1] + 1) break;
            if (!runs.empty() && runs.back().second == i - 1) runs.back().second = i;
            else runs.emplace_back(i, i);
        }
        m_strip->setHighlightedRanges(runs);
        if (scrollStrip && !runs.empty()) m_stripArea->horizontalScrollBar()->setValue(0);
        return;
    }
    if (first >= m_strip->chipCount()) first = last = -1;
    m_strip->setHighlightedRange(first, last);
    if (scrollStrip && first >= 0) m_stripArea->horizontalScrollBar()->setValue(m_strip->chip(first)->x() - 8);
}

int TextModePanel::shownIndex(int i) const {
    if (m_windowed) return windowIndexOf(*m_windowed, m_longText->currentWindow(), i);
    if (m_truncatedKept.empty()) return i;
    const auto at = std::lower_bound(m_truncatedKept.begin(), m_truncatedKept.end(), i);
    return at != m_truncatedKept.end() && *at == i ? static_cast<int>(at - m_truncatedKept.begin()) : -1;
}

int TextModePanel::wholeTextIndex(int shown) const {
    if (m_windowed) return wholeTextIndexOf(*m_windowed, m_longText->currentWindow(), shown);
    if (!m_truncatedKept.empty() && shown >= 0 && shown < static_cast<int>(m_truncatedKept.size()))
        return m_truncatedKept[static_cast<std::size_t>(shown)];
    return shown;
}

void TextModePanel::highlightEntity(int first, int last) {
    if (first >= 0 && m_windowed && (shownIndex(first) < 0 || shownIndex(last) < 0)) {
        // The entity lies outside the window shown: go to the window in which it sits most centrally.
        const int best = mostCentralWindow(*m_windowed, first, last);
        const int selected = m_entities->selectedEntity();
        if (best >= 0) m_longText->setCurrentWindow(best);
        m_entities->setSelectedEntity(selected);
    }
    const int a = first < 0 ? -1 : shownIndex(first), b = first < 0 ? -1 : shownIndex(last);
    m_attention->highlightTokens(a < 0 || b < 0 ? -1 : a, a < 0 || b < 0 ? -1 : b);
}

std::vector<Token> TextModePanel::editedTokens() const {
    std::vector<Token> tokens = m_tokens;
    if (const auto model = m_session->model())
        for (int i : m_masked) model->tokenizer().mask(tokens[static_cast<std::size_t>(i)]);
    return tokens;
}

TextRunOptions TextModePanel::runOptions() const {
    TextRunOptions options;
    options.topK = m_topK->value();
    options.attentionMask = m_maskControls->spec();
    for (const auto& [layer, head] : m_ablated) options.ablate.push_back({layer, head});
    options.traceAttention = currentView() == View::OneHead;
    options.predictByLayer = currentView() == View::Layers;
    return options;
}

void TextModePanel::showAnalysis(TextAnalysisPtr analysis, TextAnalysisPtr baseline) {
    m_analysis = std::move(analysis);
    m_baseline = std::move(baseline);
    m_message->clearMessage();
    m_attention->setAnalysis(m_analysis, m_baseline, m_maskControls->compare());
    showPredictions();
    if (m_analysis->task == TextTask::TokenLabels) {
        // Keep the selected entity when the same span is still an entity (a rerun of the same text,
        // another window of it).
        std::pair<int, int> wanted{-1, -1};
        if (const int selected = m_entities->selectedEntity(); selected >= 0 && selected < static_cast<int>(m_entities->entities().size()))
            wanted = {m_entities->entities()[static_cast<std::size_t>(selected)].firstToken,
                      m_entities->entities()[static_cast<std::size_t>(selected)].lastToken};
        m_entities->setAnalysis(results());
        int keep = -1;
        for (std::size_t i = 0; i < m_entities->entities().size(); ++i)
            if (m_entities->entities()[i].firstToken == wanted.first && m_entities->entities()[i].lastToken == wanted.second)
                keep = static_cast<int>(i);
        m_entities->setSelectedEntity(keep);
        const int a = keep < 0 ? -1 : shownIndex(wanted.first), b = keep < 0 ? -1 : shownIndex(wanted.second);
        m_attention->highlightTokens(a < 0 || b < 0 ? -1 : a, a < 0 || b < 0 ? -1 : b);
    } else if (m_attention->highlightedTokens().first >= 0) {
        m_attention->highlightTokens(-1, -1);
    }
    showTokenLabels();
    m_grid->setAttention(m_analysis->attention, m_analysis->controls);
    m_grid->setHeadMask(m_analysis->controls.headMask);
    m_heads->setAnalysis(m_analysis);
    m_arithmetic->setAnalysis(m_analysis);
    m_arithmetic->setHead(m_attention->layer(), m_attention->head());
    m_layers->setAnalysis(m_analysis);
    m_sideBySide->setPrimary(m_analysis, maskMode() == AttentionMaskSpec::Mode::Causal);
    updatePaddingNote();
    updateViewsForSelection();
    if (!m_windowed) updateLongTextBand(false);
    if (!m_truncatedKept.empty()) m_longText->setTruncated(static_cast<int>(m_truncatedKept.size()));
    const QString window = m_windowed ? m_longText->positionText() + QStringLiteral(", ") : QString();
    emit statusMessage(window + tr("%1 tokens, %2 layers x %3 heads").arg(m_analysis->tokens.size())
                           .arg(m_analysis->attention.layers).arg(m_analysis->attention.heads), 4000);
    emit analysisShown();
}

void TextModePanel::updateViewsForSelection() {
    if (m_presenting) m_caption->setText(viewCaption());
    if (!m_analysis) return;
    const QString slug = sentenceSlug();
    m_grid->setHighlighted(m_attention->layer(), m_attention->head());
    m_sideBySide->setSelection(m_attention->layer(), m_attention->head(), m_attention->aggregation());
    const auto& shown = m_attention->shownMatrix();
    QStringList labels;
    for (int i : shown.tokenIndex) labels << QString::fromStdString(labelOf(m_analysis->tokens[static_cast<std::size_t>(i)]));
    m_arcs->setAttention(labels, shown.values, m_attention->selectionTitle());
    m_attention->heatmap()->setExportBaseName(QStringLiteral("attention_%1_%2").arg(m_attention->selectionSlug(), slug));
    m_arcs->setExportBaseName(QStringLiteral("head_view_%1_%2").arg(m_attention->selectionSlug(), slug));
    m_grid->setExportBaseName(QStringLiteral("model_view_%1").arg(slug));
    m_predictions->setExportBaseName(QStringLiteral("predictions_%1").arg(slug));
}

void TextModePanel::showPredictions() {
    if (!m_baseline || !m_maskControls->compare()) return m_predictions->setPredictions(results());
    if (m_analysis->task == TextTask::SentenceLabels && !m_baseline->labels.empty() && !m_analysis->labels.empty())
        return m_predictions->setCharts({PredictionChartWidget::labelChart(m_baseline->labels, tr("Without mask or ablation")),
                                         PredictionChartWidget::labelChart(m_analysis->labels, tr("As set"))});
    // Before and after, side by side per [MASK]: without the mask and ablation, then with them.
    std::vector<BarChart> charts;
    for (std::size_t m = 0; m < m_analysis->predictions.size(); ++m)
        for (const auto* run : {m_baseline.get(), m_analysis.get()}) {
            if (m >= run->predictions.size()) continue;
            const auto& p = run->predictions[m];
            BarChart chart;
            chart.title = (run == m_baseline.get() ? tr("[MASK] at %1, without mask or ablation") : tr("[MASK] at %1, as set"))
                              .arg(p.position);
            for (const auto& c : p.top) {
                chart.labels << QString::fromStdString(labelOf(c));
                chart.probabilities.push_back(c.probability);
            }
            charts.push_back(std::move(chart));
        }
    if (charts.empty()) return m_predictions->setPredictions(*m_analysis);
    m_predictions->setCharts(charts);
}

void TextModePanel::updatePaddingNote() {
    const int pads = m_analysis->controls.paddingTokens;
    if (pads == 0 || !m_baseline) {
        m_note->hide();
        return;
    }
    // What padding changes for the real tokens: nothing, up to rounding.
    const auto& a = m_analysis->attention;
    const auto& b = m_baseline->attention;
    double attention = 0, prediction = 0;
    for (int l = 0; l < b.layers; ++l)
        for (int h = 0; h < b.heads; ++h)
            for (int i = 0; i < b.queries; ++i)
                for (int j = 0; j < b.keys; ++j) attention = std::max(attention, static_cast<double>(std::abs(a.at(l, h, i, j) - b.at(l, h, i, j))));
    for (std::size_t m = 0; m < std::min(m_analysis->predictions.size(), m_baseline->predictions.size()); ++m)
        for (std::size_t k = 0; k < std::min(m_analysis->predictions[m].top.size(), m_baseline->predictions[m].top.size()); ++k)
            prediction = std::max(prediction, static_cast<double>(std::abs(m_analysis->predictions[m].top[k].probability -
                                                                           m_baseline->predictions[m].top[k].probability)));
    m_note->setText(tr("%n [PAD] token(s) appended with attention_mask 0 (grey columns: no query may attend to them). "
                       "Against the unpadded run, the real tokens' attention differs by at most %1 and the predictions "
                       "by at most %2: padding changes nothing, which is what batching relies on.", nullptr, pads)
                        .arg(attention, 0, 'g', 2).arg(prediction, 0, 'g', 2));
    m_note->show();
}

QString TextModePanel::noteText() const { return m_note->isHidden() ? QString() : m_note->text(); }

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
    case View::Heads: return m_heads->grid();
    case View::OneHead: return m_arithmetic;
    case View::Layers: return m_layers;
    case View::SideBySide: return m_sideBySide;
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
        m_windowed ? tr("NumPy array, a leading window axis (*.npy);;CSV table, a window column (*.csv);;JSON, a list of windows (*.json)")
                   : tr("NumPy array (*.npy);;CSV table (*.csv);;JSON (*.json)"));
    if (path.isEmpty()) return;
    std::vector<std::string> labels;
    for (const auto& t : m_analysis->tokens) labels.push_back(t.text);
    const QString error = m_windowed ? writeWindowedAttentionFile(path, *m_windowed) : writeAttentionFile(path, m_analysis->attention, labels);
    if (!error.isEmpty())
        m_message->showError(error);
    else
        emit statusMessage(tr("Wrote %1").arg(path), 5000);
}

}  // namespace ascope::ui
