#pragma once
// Image mode: open an image and an image model, see the image with its patch grid, the top-k
// classes, and attention as an overlay ([CLS] or a clicked patch; one head, head mean, or
// rollout); every head as a grid of small overlays; and the position-embedding similarity grid.
#include <QWidget>
#include <set>

#include "analysis/patch_attention.h"
#include "session/image_session.h"

class QComboBox;
class QSpinBox;
class QSlider;
class QLabel;
class QTabWidget;
class QCheckBox;

namespace ascope::ui {

class ExportableView;
class HeadsPanel;
class ImageOverlayWidget;
class MessageBanner;
class PredictionChartWidget;
class SmallMultiplesWidget;

class ImageModePanel : public QWidget {
    Q_OBJECT
public:
    // The views, in tab order.
    enum class View { Overlay, AllHeads, Importance, PositionSimilarity };
    // The mask inside attention: none, or patches blocked by clicking them (no query may attend to them).
    enum class MaskChoice { None, BlockPatches };

    explicit ImageModePanel(QWidget* parent = nullptr);
    ImageSession& session() { return *m_session; }
    void openModel(const QString& dir);
    // Opens `dir` only when image mode is first shown or an image arrives (start-up stays fast).
    void openModelWhenNeeded(const QString& dir);
    // Returns an error message ("" on success).
    QString openImageFile(const QString& path);
    // The image's file ("" for a pasted or generated image) and the model's folder (loaded, being
    // loaded, or waiting for the tab to be shown; "" for none), for session files.
    QString imagePath() const { return m_imagePath; }
    QString modelDirectory() const;
    void setImage(const QImage& image, const QString& name);
    ImageAnalysisPtr analysis() const { return m_analysis; }
    ExportableView* currentExportable() const;
    void showView(View view);
    View currentView() const;
    // Asks for a file and writes every layer and head (NPY, CSV or JSON); problems go to the banner.
    void exportData(const QString& folder);
    void showError(const QString& text);
    QString message() const;
    ImageOverlayWidget* overlay() const { return m_overlay; }
    PredictionChartWidget* classes() const { return m_classes; }
    SmallMultiplesWidget* headGrid() const { return m_heads; }
    SmallMultiplesWidget* positionGrid() const { return m_positions; }
    PatchHeatRequest heatRequest() const;
    void setSource(PatchHeatSource source, int layer, int head);
    void setMaskChoice(MaskChoice choice);
    // Blocks or unblocks a patch (row-major index) for every query; switches to BlockPatches.
    void toggleBlockedPatch(int patch);
    // Switches a head off (head_mask 0) or on again; switched-off heads are crossed out in "All heads".
    void toggleAblated(int layer, int head);
    const std::set<std::pair<int, int>>& ablatedHeads() const { return m_ablated; }
    HeadsPanel* importancePanel() const { return m_importance; }
    void requestHeadImportance();

signals:
    void analysisShown();
    void statusMessage(const QString& text);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void loadPendingModel();
    void refreshOverlay();
    void refreshPositions();
    void refreshHeadGrid();
    void requestRun();
    void forgetImportance();
    ImageRunOptions runOptions() const;
    PatchHeatSource source() const;

    ImageSession* m_session;
    ImageAnalysisPtr m_analysis;
    RgbImage m_image;
    QString m_imageName = QStringLiteral("image");
    int m_queryPatch = -1;
    QString m_pendingModel;
    QString m_requestedModel;
    QString m_imagePath;
    QLabel* m_modelLabel;
    MessageBanner* m_message;
    QComboBox* m_source;
    QSpinBox* m_layer;
    QSpinBox* m_head;
    QSpinBox* m_discard;
    QSlider* m_opacity;
    QComboBox* m_colorMap;
    QCheckBox* m_grid;
    QComboBox* m_mask;
    std::set<int> m_blockedPatches;
    std::set<std::pair<int, int>> m_ablated;
    HeadsPanel* m_importance;
    QTabWidget* m_tabs;
    ImageOverlayWidget* m_overlay;
    PredictionChartWidget* m_classes;
    SmallMultiplesWidget* m_heads;
    SmallMultiplesWidget* m_positions;
};

}  // namespace ascope::ui
