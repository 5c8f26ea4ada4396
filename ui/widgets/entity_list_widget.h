#pragma once
// A token classifier's entities beside the heatmap: a legend of entity types with their colours
// and one button per entity span (grouped as Hugging Face's aggregation_strategy="simple");
// clicking a span selects its tokens (entitySelected), clicking it again clears the selection.
#include <QColor>
#include <QMap>
#include <QWidget>
#include <vector>

#include "analysis/entity_groups.h"
#include "inference/text_analysis.h"

class QLabel;
class QToolButton;
class QVBoxLayout;

namespace ascope::ui {

class EntityListWidget : public QWidget {
    Q_OBJECT
public:
    explicit EntityListWidget(QWidget* parent = nullptr);
    // The entity types of `labelNames` ("PER" for B-PER / I-PER; "O" left out), each with its colour.
    static QMap<QString, QColor> colorsFor(const std::vector<std::string>& labelNames);
    void setAnalysis(const TextAnalysis& analysis);
    const std::vector<EntitySpan>& entities() const { return m_entities; }
    QToolButton* entityButton(int index) const { return m_buttons.at(static_cast<std::size_t>(index)); }
    QString legendText() const;
    // Marks entity `index` as selected (-1: none) without emitting.
    void setSelectedEntity(int index);
    int selectedEntity() const { return m_selected; }

signals:
    // The tokens first..last of the clicked entity; (-1, -1) when the selection is cleared.
    void entitySelected(int firstToken, int lastToken);

private:
    QVBoxLayout* m_layout;
    QLabel* m_legend;
    QLabel* m_empty;
    std::vector<QToolButton*> m_buttons;
    std::vector<EntitySpan> m_entities;
    int m_selected = -1;
};

}  // namespace ascope::ui
