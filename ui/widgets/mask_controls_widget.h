#pragma once
// The controls of the mask inside attention, and their state: no mask, the causal (look-ahead)
// mask, blocked tokens (toggled by clicking key columns), custom cells painted on the heatmap
// (for every layer and head, the current layer, or the current head alone), or pad tokens
// appended with attention_mask 0. "Compare" asks for the same run without any mask or
// ablation beside it. changed() fires whenever the mask the model should run with changes.
#include <QWidget>
#include <map>
#include <set>
#include <vector>

#include "inference/attention_controls.h"

class QCheckBox;
class QComboBox;
class QSpinBox;

namespace ascope::ui {

class MaskControlsWidget : public QWidget {
    Q_OBJECT
public:
    enum class Choice { None, Causal, Block, Custom, Padding };
    // Where painted cells apply: every layer and head, every head of this layer, this head (its
    // number) in every layer, or this one head of this layer.
    enum class PaintScope { AllLayers, ThisLayer, HeadInEveryLayer, ThisHead };

    explicit MaskControlsWidget(QWidget* parent = nullptr);
    void setChoice(Choice choice);
    Choice choice() const;
    void setPaintScope(PaintScope scope);
    PaintScope paintScope() const;
    void setPadding(int tokens);
    void setCompare(bool on);
    // Compare is on, or padding is chosen (which is only shown against the unpadded run).
    bool wantsBaseline() const;
    bool compare() const;

    // A new sentence of `tokens` tokens: blocked keys and painted cells are forgotten.
    void resetForTokens(int tokens);
    void toggleBlockedKey(int token);
    // The tokens blocked now (empty unless the choice is Block).
    std::set<int> blockedKeys() const { return choice() == Choice::Block ? m_blocked : std::set<int>{}; }
    // Whether cell (query, key) is allowed for (layer, head) by the painted cells alone.
    bool paintedAllowed(int layer, int head, int query, int key) const;
    // Sets cell (query, key) in the painting scope at (layer, head); switches to Custom.
    void paintCell(int layer, int head, int query, int key, bool allowed);
    void clearPainting();

    // The whole state, for session files: every blocked key and painted scope, whatever the choice.
    int tokens() const { return m_tokens; }
    int padding() const;
    std::set<int> allBlockedKeys() const { return m_blocked; }
    std::vector<AttentionMaskSpec::Cells> paintedCells() const;
    // Restores blocked keys and painted cells for the current `tokens()` (entries of another size
    // or out of range are dropped; returns false if any was). Emits changed() once.
    bool restore(const std::set<int>& blocked, const std::vector<AttentionMaskSpec::Cells>& painted);

    AttentionMaskSpec spec() const;

signals:
    void changed();
    void compareToggled(bool on);

private:
    using Scope = std::pair<int, int>;  // (layer or -1, head or -1)
    std::vector<std::uint8_t> effectiveCells(int layer, int head) const;
    // The scopes that apply at (layer, head), the one that wins first (AttentionMaskSpec's order).
    static std::vector<std::pair<int, int>> precedence(int layer, int head);
    // 0 every layer and head, 1 a head in every layer, 2 a whole layer, 3 one head: higher overrides.
    static int rankOf(const std::pair<int, int>& scope);
    void updateVisibility();

    QComboBox* m_choice;
    QComboBox* m_scope;
    QSpinBox* m_padding;
    QCheckBox* m_compare;
    int m_tokens = 0;
    std::set<int> m_blocked;
    std::map<Scope, std::vector<std::uint8_t>> m_painted;  // [tokens][tokens] per scope, 1 allowed
};

}  // namespace ascope::ui
