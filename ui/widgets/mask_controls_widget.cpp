#include "widgets/mask_controls_widget.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QSpinBox>
#include <algorithm>

namespace ascope::ui {

MaskControlsWidget::MaskControlsWidget(QWidget* parent) : QWidget(parent) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_choice = new QComboBox(this);
    m_choice->addItem(tr("No attention mask"), static_cast<int>(Choice::None));
    m_choice->addItem(tr("Causal mask (look-ahead)"), static_cast<int>(Choice::Causal));
    m_choice->addItem(tr("Block tokens (click a key column)"), static_cast<int>(Choice::Block));
    m_choice->addItem(tr("Custom (paint cells on the heatmap)"), static_cast<int>(Choice::Custom));
    m_choice->addItem(tr("Padding (append pad tokens)"), static_cast<int>(Choice::Padding));
    m_choice->setToolTip(tr("A mask inside scaled dot-product attention: disallowed scores get the float32 minimum "
                            "before the softmax, so they receive zero weight"));
    m_scope = new QComboBox(this);
    m_scope->addItem(tr("paint: every layer and head"), static_cast<int>(PaintScope::AllLayers));
    m_scope->addItem(tr("paint: this layer"), static_cast<int>(PaintScope::ThisLayer));
    m_scope->addItem(tr("paint: this head in every layer"), static_cast<int>(PaintScope::HeadInEveryLayer));
    m_scope->addItem(tr("paint: this head"), static_cast<int>(PaintScope::ThisHead));
    m_scope->setToolTip(tr("Where painted cells apply: click or drag over heatmap cells to disallow or allow them"));
    m_padding = new QSpinBox(this);
    m_padding->setRange(1, 64);
    m_padding->setValue(4);
    m_padding->setSuffix(tr(" pad tokens"));
    m_padding->setToolTip(tr("[PAD] tokens appended with attention_mask 0, as batching does: the real tokens' results "
                             "do not change"));
    m_compare = new QCheckBox(tr("Compare"), this);
    m_compare->setToolTip(tr("Show the difference to the run without any mask or switched-off head (red: more "
                             "attention, blue: less) and both predictions"));
    layout->addWidget(m_choice);
    layout->addWidget(m_scope);
    layout->addWidget(m_padding);
    layout->addWidget(m_compare);
    updateVisibility();
    connect(m_choice, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        updateVisibility();
        emit changed();
    });
    connect(m_padding, qOverload<int>(&QSpinBox::valueChanged), this, [this] {
        if (choice() == Choice::Padding) emit changed();
    });
    connect(m_compare, &QCheckBox::toggled, this, [this](bool on) {
        emit compareToggled(on);
        emit changed();
    });
}

void MaskControlsWidget::updateVisibility() {
    m_scope->setVisible(choice() == Choice::Custom);
    m_padding->setVisible(choice() == Choice::Padding);
}

void MaskControlsWidget::setChoice(Choice c) { m_choice->setCurrentIndex(m_choice->findData(static_cast<int>(c))); }
MaskControlsWidget::Choice MaskControlsWidget::choice() const { return static_cast<Choice>(m_choice->currentData().toInt()); }
void MaskControlsWidget::setPaintScope(PaintScope s) { m_scope->setCurrentIndex(m_scope->findData(static_cast<int>(s))); }
MaskControlsWidget::PaintScope MaskControlsWidget::paintScope() const {
    return static_cast<PaintScope>(m_scope->currentData().toInt());
}
void MaskControlsWidget::setPadding(int tokens) { m_padding->setValue(tokens); }
int MaskControlsWidget::padding() const { return m_padding->value(); }

std::vector<AttentionMaskSpec::Cells> MaskControlsWidget::paintedCells() const {
    std::vector<AttentionMaskSpec::Cells> out;
    for (const auto& [scope, cells] : m_painted) out.push_back({scope.first, scope.second, cells});
    return out;
}

bool MaskControlsWidget::restore(const std::set<int>& blocked, const std::vector<AttentionMaskSpec::Cells>& painted) {
    bool complete = true;
    m_blocked.clear();
    for (int t : blocked) {
        if (t >= 0 && t < m_tokens) m_blocked.insert(t);
        else complete = false;
    }
    m_painted.clear();
    for (const auto& c : painted) {
        if (c.allowed.size() != static_cast<std::size_t>(m_tokens) * m_tokens || c.layer < -1 || c.head < -1) {
            complete = false;
            continue;
        }
        m_painted[{c.layer, c.head}] = c.allowed;
    }
    emit changed();
    return complete;
}

void MaskControlsWidget::setCompare(bool on) { m_compare->setChecked(on); }
bool MaskControlsWidget::compare() const { return m_compare->isChecked(); }
bool MaskControlsWidget::wantsBaseline() const { return compare() || choice() == Choice::Padding; }

void MaskControlsWidget::resetForTokens(int tokens) {
    m_tokens = tokens;
    m_blocked.clear();
    m_painted.clear();
}

void MaskControlsWidget::toggleBlockedKey(int token) {
    if (token < 0 || token >= m_tokens) return;
    if (!m_blocked.erase(token)) m_blocked.insert(token);
    if (choice() != Choice::Block) setChoice(Choice::Block);  // emits changed() through the box
    else emit changed();
}

int MaskControlsWidget::rankOf(const std::pair<int, int>& scope) {
    return scope.first < 0 ? (scope.second < 0 ? 0 : 1) : (scope.second < 0 ? 2 : 3);
}

std::vector<std::pair<int, int>> MaskControlsWidget::precedence(int layer, int head) {
    // spec() lists general scopes first and later entries override: (layer, head) over (layer, all
    // heads) over (every layer, head) over everything.
    return {{layer, head}, {layer, -1}, {-1, head}, {-1, -1}};
}

std::vector<std::uint8_t> MaskControlsWidget::effectiveCells(int layer, int head) const {
    for (const Scope& s : precedence(layer, head)) {
        auto it = m_painted.find(s);
        if (it != m_painted.end()) return it->second;
    }
    return std::vector<std::uint8_t>(static_cast<std::size_t>(m_tokens) * m_tokens, 1);
}

bool MaskControlsWidget::paintedAllowed(int layer, int head, int query, int key) const {
    if (query < 0 || key < 0 || query >= m_tokens || key >= m_tokens) return true;
    return effectiveCells(layer, head)[static_cast<std::size_t>(query) * m_tokens + key] != 0;
}

void MaskControlsWidget::paintCell(int layer, int head, int query, int key, bool allowed) {
    if (query < 0 || key < 0 || query >= m_tokens || key >= m_tokens) return;
    const Scope scope = paintScope() == PaintScope::AllLayers          ? Scope{-1, -1}
                        : paintScope() == PaintScope::ThisLayer        ? Scope{layer, -1}
                        : paintScope() == PaintScope::HeadInEveryLayer ? Scope{-1, head}
                                                                       : Scope{layer, head};
    if (m_painted.find(scope) == m_painted.end()) {
        // A new scope starts from what applies there now: the first painted scope after it in
        // precedence that covers it (never a more specific one).
        std::vector<std::uint8_t> start(static_cast<std::size_t>(m_tokens) * m_tokens, 1);
        const auto order = precedence(layer, head);
        bool after = false;
        for (const Scope& general : order) {
            const bool covers = (general.first < 0 || general.first == scope.first) && (general.second < 0 || general.second == scope.second);
            if (after && covers)
                if (auto it = m_painted.find(general); it != m_painted.end()) {
                    start = it->second;
                    break;
                }
            after = after || general == scope;
        }
        m_painted.emplace(scope, std::move(start));
    }
    // A scope painted before that overrides this one somewhere inside it (a whole layer, when a head
    // is painted in every layer) gets its intersection with this scope as an entry of its own, so
    // the new cell reaches every head the user meant.
    std::vector<Scope> intersections;
    for (const auto& [other, cells] : m_painted) {
        const bool overlaps = (scope.first < 0 || other.first < 0 || scope.first == other.first) &&
                              (scope.second < 0 || other.second < 0 || scope.second == other.second);
        if (!overlaps || rankOf(other) <= rankOf(scope)) continue;
        const Scope both{scope.first >= 0 ? scope.first : other.first, scope.second >= 0 ? scope.second : other.second};
        if (both != other && !m_painted.count(both)) intersections.push_back(both);
    }
    for (const Scope& both : intersections) m_painted.emplace(both, effectiveCells(both.first, both.second));
    // The cell is set in the scope and in every scope inside it.
    for (auto& [s, cells] : m_painted)
        if ((scope.first < 0 || s.first == scope.first) && (scope.second < 0 || s.second == scope.second))
            cells[static_cast<std::size_t>(query) * m_tokens + key] = allowed ? 1 : 0;
    if (choice() != Choice::Custom) setChoice(Choice::Custom);
    else emit changed();
}

void MaskControlsWidget::clearPainting() {
    m_painted.clear();
    if (choice() == Choice::Custom) emit changed();
}

AttentionMaskSpec MaskControlsWidget::spec() const {
    AttentionMaskSpec spec;
    switch (choice()) {
    case Choice::None: break;
    case Choice::Causal: spec.mode = AttentionMaskSpec::Mode::Causal; break;
    case Choice::Block:
        spec.mode = AttentionMaskSpec::Mode::Block;
        spec.blockedKeys.assign(m_blocked.begin(), m_blocked.end());
        break;
    case Choice::Custom: {
        spec.mode = AttentionMaskSpec::Mode::Custom;
        std::vector<std::pair<Scope, const std::vector<std::uint8_t>*>> entries;
        for (const auto& [scope, cells] : m_painted) entries.push_back({scope, &cells});
        // General scopes first: later entries override earlier ones.
        std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
            return (a.first.first >= 0) + (a.first.second >= 0) < (b.first.first >= 0) + (b.first.second >= 0);
        });
        for (const auto& [scope, cells] : entries) spec.custom.push_back({scope.first, scope.second, *cells});
        break;
    }
    case Choice::Padding: spec.padding = m_padding->value(); break;
    }
    return spec;
}

}  // namespace ascope::ui
