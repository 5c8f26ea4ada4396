#pragma once
// Text mode: the model label, sentence box with teaching examples, top-k, the token strip (click
// a chip to mask it), and the attention, model, head and positional-encoding views. It owns the
// text session and all text-mode state (tokens, masks, the analysis shown).
#include <QTimer>
#include <QWidget>
#include <functional>
#include <set>
#include <vector>

#include "session/text_session.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QScrollArea;
class QSpinBox;
class QTabWidget;
class QToolButton;

namespace ascope::ui {

class AttentionArcWidget;
class AttentionPanel;
class ExportableView;
class HeadGridWidget;
class MessageBanner;
class PositionalEncodingPanel;
class SideBySidePanel;
class PredictionChartWidget;
class HeadsPanel;
class HeadArithmeticPanel;
class LayerPredictionsPanel;
class MaskControlsWidget;
class TokenStripWidget;
class EntityListWidget;
class LongTextWidget;

class TextModePanel : public QWidget {
    Q_OBJECT
public:
    // The views, in tab order.
    enum class View { Attention, ModelView, HeadView, Heads, OneHead, Layers, Positional, SideBySide };

    explicit TextModePanel(QWidget* parent = nullptr);

    void openModel(const QString& dir);
    // The mask inside attention: none, causal (look-ahead), blocked keys (click a key column of the
    // heatmap), custom cells (paint on the heatmap) or padding (MaskControlsWidget). Heads are
    // switched off from the model view (right-click).
    void setMaskMode(AttentionMaskSpec::Mode mode);
    AttentionMaskSpec::Mode maskMode() const;
    MaskControlsWidget* maskControls() const { return m_maskControls; }
    void toggleBlockedKey(int token);
    // A press (start) or drag over heatmap cell (row, col) while painting a custom mask.
    void paintHeatmapCell(int row, int col, bool start);
    void requestHeadImportance();
    // Presentation mode: secondary controls hidden, a large one-line caption of the current view,
    // M masks the token under the mouse in the heatmap, the heatmap's hovered row and column lit.
    void setPresentation(bool on);
    bool isPresenting() const { return m_presenting; }
    QString viewCaption() const;
    // The current lesson step's text (rich text), shown above the caption in presentation mode.
    void setLessonText(const QString& text);
    QString lessonText() const;
    // Masks (or restores) the token of the heatmap row under the mouse; false when there is none.
    bool maskHoveredToken();
    void toggleAblated(int layer, int head);
    const std::set<std::pair<int, int>>& ablatedHeads() const { return m_ablated; }
    void setSentence(const QString& text);
    // Sentence B of a pair ("" for one sentence): [CLS] A [SEP] B [SEP], B with token type 1.
    void setSentencePair(const QString& text);
    QString sentencePair() const;
    // What the model reads: the sentence, or TextTokenizer::pairText(A, B).
    QString analysedText() const;
    QString sentence() const;
    // The open model's folder ("" while none is open).
    QString modelDirectory() const;
    // Runs `then` once the model in `dir` is open: at once if it is open already, else after
    // opening it (dropped if that fails: the banner says why and the previous state stays).
    void whenModelReady(const QString& dir, std::function<void()> then);
    // Token indices toggled to [MASK] (typed [MASK]s are not among them).
    const std::set<int>& maskedTokens() const { return m_masked; }
    // Sets the toggled tokens of the current sentence (indices out of range or of typed [MASK]s
    // are dropped; returns false if any was) and runs once.
    bool setMaskedTokens(const std::set<int>& indices);
    void setAblatedHeads(const std::set<std::pair<int, int>>& heads);
    // Masks the token (or restores it) and runs; false (nothing done) for an index out of range, a
    // [CLS]/[SEP] the tokenizer added, or a typed [MASK].
    bool toggleToken(int index);
    void showView(View view);
    View currentView() const;
    void focusSentence();
    void showError(const QString& text);
    void stepLayer(int delta);
    void stepHead(int delta);
    // A text longer than the model: the windows the views show (see LongTextWidget).
    void stepWindow(int delta);
    LongTextWidget* longText() const { return m_longText; }
    // The windowed run shown (null unless the text runs in windows).
    WindowedAnalysisPtr windowed() const { return m_windowed; }
    ExportableView* currentExportable() const;
    // Asks for a file and writes every layer and head (NPY, CSV or JSON); problems go to the banner.
    void exportData(const QString& folder);

    TextSession& session() { return *m_session; }
    TextAnalysisPtr analysis() const { return m_analysis; }
    TextAnalysisPtr baseline() const { return m_baseline; }
    QString noteText() const;
    QString messageText() const;
    QString sentenceSlug() const;
    TokenStripWidget* tokenStrip() const { return m_strip; }
    QScrollArea* tokenStripArea() const { return m_stripArea; }
    AttentionPanel* attentionPanel() const { return m_attention; }
    PredictionChartWidget* predictions() const { return m_predictions; }
    EntityListWidget* entityList() const { return m_entities; }
    HeadGridWidget* headGrid() const { return m_grid; }
    PositionalEncodingPanel* positionalPanel() const { return m_positional; }
    HeadsPanel* headsPanel() const { return m_heads; }
    HeadArithmeticPanel* headArithmetic() const { return m_arithmetic; }
    LayerPredictionsPanel* layerPredictions() const { return m_layers; }
    SideBySidePanel* sideBySide() const { return m_sideBySide; }

signals:
    void analysisShown();
    void modelOpened(const QString& dir);
    void statusMessage(const QString& text, int timeoutMs);
    // The text cannot run (too long for the model); the banner says so and the previous result stays.
    void runRefused(const QString& message);

private:
    void retokenize();
    // True when `t` is the model's mask token as typed ([MASK], <mask>): nothing to restore.
    bool isTypedMask(const Token& t) const;
    void requestRun();
    void showAnalysis(TextAnalysisPtr analysis, TextAnalysisPtr baseline);
    void showPredictions();
    void showWindowedAnalysis(WindowedAnalysisPtr windowed);
    void showWindow(int index, bool scrollStrip);
    // The whole text's results: the windows merged, else the analysis shown.
    const TextAnalysis& results() const { return m_windowed ? m_windowed->merged : *m_analysis; }
    // The index in the shown run's tokens of the whole text's token `i` (-1: not in the shown
    // window, or cut by truncation), and back.
    int shownIndex(int i) const;
    int wholeTextIndex(int shown) const;
    void highlightEntity(int first, int last);
    void updateLongTextBand(bool scrollStrip);
    void updatePaddingNote();
    void forgetImportance();
    void refreshStrip();
    void fitStripHeight();
    // A token classifier's labels under the chips (cleared for other heads).
    void showTokenLabels();
    std::vector<Token> editedTokens() const;
    TextRunOptions runOptions() const;
    void updateViewsForSelection();
    void onModelLoaded(const QString& dir);

    TextSession* m_session;
    QLineEdit* m_sentence;
    QLineEdit* m_sentenceB;
    QWidget* m_pairRow;
    QToolButton* m_pairButton;
    QSpinBox* m_topK;
    MaskControlsWidget* m_maskControls;
    QLabel* m_note;
    QProgressBar* m_busy;
    QLabel* m_modelLabel;
    MessageBanner* m_message;
    TokenStripWidget* m_strip;
    QScrollArea* m_stripArea;
    LongTextWidget* m_longText;
    QTabWidget* m_tabs;
    AttentionPanel* m_attention;
    PredictionChartWidget* m_predictions;
    EntityListWidget* m_entities;
    HeadGridWidget* m_grid;
    AttentionArcWidget* m_arcs;
    PositionalEncodingPanel* m_positional;
    HeadsPanel* m_heads;
    HeadArithmeticPanel* m_arithmetic;
    LayerPredictionsPanel* m_layers;
    SideBySidePanel* m_sideBySide;
    QTimer m_debounce;
    bool m_paintAllowed = false;
    bool m_presenting = false;
    QLabel* m_caption;
    QLabel* m_lessonText;
    QWidget* m_controlsRow;  // what a drag paints: the opposite of the first cell's state

    std::vector<Token> m_tokens;
    std::set<int> m_masked;
    std::set<std::pair<int, int>> m_ablated;
    std::function<void()> m_whenModelReady;
    QString m_loadingDir;
    TextAnalysisPtr m_analysis;
    TextAnalysisPtr m_baseline;
    WindowedAnalysisPtr m_windowed;
    std::vector<int> m_truncatedKept;  // the text's tokens the shown run kept, when truncated (empty: not)
    std::vector<int> m_requestedKept;  // the same for the run requested last
};

}  // namespace ascope::ui
