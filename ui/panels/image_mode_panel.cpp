#include "panels/image_mode_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

#include "analysis/positional_encoding.h"
#include "export/attention_data_writer.h"
#include "export/figure_exporter.h"
#include "io/image_file_reader.h"
#include "panels/heads_panel.h"
#include "widgets/heatmap_plot_widget.h"
#include "widgets/image_overlay_widget.h"
#include "widgets/message_banner.h"
#include "widgets/prediction_chart_widget.h"
#include "widgets/small_multiples_widget.h"

#include <utility>

namespace ascope::ui {

ImageModePanel::ImageModePanel(QWidget* parent) : QWidget(parent), m_session(new ImageSession(this)) {
    auto* outer = new QVBoxLayout(this);
    auto* controls = new QHBoxLayout;
    m_modelLabel = new QLabel(tr("No image model"), this);
    m_source = new QComboBox(this);
    m_source->addItem(tr("Single head"), static_cast<int>(PatchHeatSource::Head));
    m_source->addItem(tr("Mean over heads"), static_cast<int>(PatchHeatSource::HeadMean));
    m_source->addItem(tr("Attention rollout"), static_cast<int>(PatchHeatSource::Rollout));
    m_source->setCurrentIndex(m_source->findData(static_cast<int>(PatchHeatSource::HeadMean)));
    m_source->setToolTip(tr("What the overlay shows: one head's attention, the mean over the layer's heads, "
                            "or rollout through all layers (Abnar & Zuidema 2020)"));
    m_layer = new QSpinBox(this);
    m_layer->setToolTip(tr("Layer"));
    m_head = new QSpinBox(this);
    m_head->setToolTip(tr("Head"));
    m_discard = new QSpinBox(this);
    m_discard->setRange(0, 95);
    m_discard->setSuffix(tr(" % discarded"));
    m_discard->setToolTip(tr("Rollout: zero the lowest attention weights of each layer before multiplying"));
    m_opacity = new QSlider(Qt::Horizontal, this);
    m_opacity->setRange(0, 100);
    m_opacity->setValue(60);
    m_opacity->setMaximumWidth(120);
    m_opacity->setToolTip(tr("Overlay opacity"));
    m_colorMap = new QComboBox(this);
    fillColorMapCombo(*m_colorMap, ColorMap::Magma);
    m_colorMap->setToolTip(tr("Colour map"));
    m_grid = new QCheckBox(tr("Patch grid"), this);
    m_grid->setChecked(true);
    m_mask = new QComboBox(this);
    m_mask->addItem(tr("No attention mask"), static_cast<int>(MaskChoice::None));
    m_mask->addItem(tr("Block patches (click them)"), static_cast<int>(MaskChoice::BlockPatches));
    m_mask->setToolTip(tr("A mask inside attention: blocked patches get the float32 minimum added to their scores, so "
                          "no query attends to them. Right-click a head in \"All heads\" to switch it off."));
    for (QWidget* w : {static_cast<QWidget*>(m_modelLabel), static_cast<QWidget*>(m_source)}) controls->addWidget(w);
    controls->addWidget(new QLabel(tr("Layer"), this));
    controls->addWidget(m_layer);
    controls->addWidget(new QLabel(tr("Head"), this));
    controls->addWidget(m_head);
    controls->addWidget(m_discard);
    controls->addWidget(new QLabel(tr("Opacity"), this));
    controls->addWidget(m_opacity);
    controls->addWidget(m_colorMap);
    controls->addWidget(m_grid);
    controls->addWidget(m_mask);
    controls->addStretch(1);
    outer->addLayout(controls);
    m_message = new MessageBanner(this);
    outer->addWidget(m_message);

    m_tabs = new QTabWidget(this);
    auto* split = new QSplitter(Qt::Horizontal, this);
    m_overlay = new ImageOverlayWidget(split);
    m_classes = new PredictionChartWidget(split);
    m_classes->clear(tr("Open an image to see the model's top classes"));
    split->addWidget(m_overlay);
    split->addWidget(m_classes);
    split->setSizes({700, 380});
    m_heads = new SmallMultiplesWidget(this);
    m_heads->setEmptyMessage(tr("Open an image to see every head"));
    m_heads->setCellToolTip([this](int l, int h) { return tr("Layer %1, head %2 — click to open").arg(l).arg(h); });
    m_heads->setCellToolTip([this](int l, int h) {
        return tr("Layer %1, head %2 — click to open, right-click to switch it %3").arg(l).arg(h)
            .arg(m_ablated.count({l, h}) ? tr("on again") : tr("off"));
    });
    m_importance = new HeadsPanel(this);
    m_positions = new SmallMultiplesWidget(this);
    m_positions->setToolTip(tr("Each small map: cosine similarity of one patch position's embedding to every other "
                               "(Dosovitskiy et al. 2020, figure 7)"));
    m_positions->setEmptyMessage(tr("Open an image model to see its position embeddings"));
    // In View order.
    m_tabs->addTab(split, tr("&Overlay"));
    m_tabs->addTab(m_heads, tr("All &heads"));
    m_tabs->addTab(m_importance, tr("Head &importance"));
    m_tabs->addTab(m_positions, tr("Position &embeddings"));
    outer->addWidget(m_tabs, 1);

    auto refresh = [this] { refreshOverlay(); };
    connect(m_source, qOverload<int>(&QComboBox::currentIndexChanged), this, refresh);
    connect(m_layer, qOverload<int>(&QSpinBox::valueChanged), this, refresh);
    connect(m_head, qOverload<int>(&QSpinBox::valueChanged), this, refresh);
    connect(m_discard, qOverload<int>(&QSpinBox::valueChanged), this, refresh);
    connect(m_opacity, &QSlider::valueChanged, this, [this](int v) { m_overlay->setOpacity(v / 100.0); refreshOverlay(); });
    connect(m_colorMap, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        m_overlay->setColorMap(colorMapOf(*m_colorMap));
        refreshOverlay();
    });
    connect(m_grid, &QCheckBox::toggled, m_overlay, &ImageOverlayWidget::setShowGrid);
    connect(m_mask, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        forgetImportance();
        requestRun();
    });
    connect(m_heads, &SmallMultiplesWidget::cellRightClicked, this, &ImageModePanel::toggleAblated);
    connect(m_importance, &HeadsPanel::importanceRequested, this, &ImageModePanel::requestHeadImportance);
    connect(m_importance, &HeadsPanel::importanceCancelRequested, m_session, &ImageSession::cancelHeadImportance);
    connect(m_importance, &HeadsPanel::headChosen, this, [this](int l, int h) {
        setSource(PatchHeatSource::Head, l, h);
        showView(View::Overlay);
    });
    connect(m_session, &ImageSession::headImportanceProgress, m_importance, &HeadsPanel::setImportanceProgress);
    connect(m_session, &ImageSession::headImportanceReady, this, [this](HeadImportancePtr importance) {
        m_importance->setImportanceRunning(false);
        m_importance->setImportance(std::move(importance));
    });
    connect(m_session, &ImageSession::headImportanceFailed, m_importance, &HeadsPanel::setImportanceError);
    connect(m_session, &ImageSession::headImportanceCancelled, this, [this] { m_importance->setImportanceError(tr("Cancelled.")); });
    connect(m_overlay, &ImageOverlayWidget::patchClicked, this, [this](int patch) {
        if (patch >= 0 && static_cast<MaskChoice>(m_mask->currentData().toInt()) == MaskChoice::BlockPatches)
            return toggleBlockedPatch(patch);
        m_queryPatch = patch;
        refreshOverlay();
        refreshHeadGrid();
    });
    connect(m_heads, &SmallMultiplesWidget::cellClicked, this, [this](int l, int h) {
        setSource(PatchHeatSource::Head, l, h);
        showView(View::Overlay);
    });
    connect(m_session, &ImageSession::modelLoaded, this, [this](const QString& dir) {
        const auto& c = m_session->model()->config();
        m_modelLabel->setText(QFileInfo(dir).fileName());
        m_modelLabel->setToolTip(tr("%1\n%2 layers, %3 heads, %4 px, patch %5").arg(dir).arg(c.numLayers).arg(c.numHeads)
                                     .arg(c.imageSize).arg(c.patchSize));
        m_layer->setRange(0, c.numLayers - 1);
        m_layer->setValue(c.numLayers - 1);
        m_head->setRange(0, c.numHeads - 1);
        m_message->clearMessage();
        m_ablated.clear();
        m_blockedPatches.clear();
        m_importance->setImportanceOnly(c.numLayers, c.numHeads);
        forgetImportance();
        refreshPositions();
        requestRun();
    });
    connect(m_session, &ImageSession::modelFailed, this, [this](const QString& e) { showError(tr("Could not open the image model: %1").arg(e)); });
    connect(m_session, &ImageSession::analysisFailed, this, &ImageModePanel::showError);
    connect(m_session, &ImageSession::analysisReady, this, [this](ImageAnalysisPtr a) {
        m_analysis = std::move(a);
        m_message->clearMessage();
        m_classes->setClasses(tr("Top-%1 classes").arg(m_analysis->top.size()), m_analysis->top,
                              tr("This checkpoint has no classifier head: attention only"));
        m_overlay->setImage(toQImage(m_analysis->input), m_analysis->gridRows, m_analysis->gridCols);
        std::vector<int> blocked;
        if (!m_analysis->controls.allowed.empty())
            for (int p = 0; p < m_analysis->gridRows * m_analysis->gridCols; ++p)
                if (!m_analysis->controls.isAllowed(0, 0, 0, m_analysis->prefixTokens + p)) blocked.push_back(p);
        m_overlay->setBlockedPatches(std::move(blocked));
        refreshOverlay();
        refreshHeadGrid();
        emit analysisShown();
    });
}

QString ImageModePanel::modelDirectory() const {
    if (!m_pendingModel.isEmpty()) return m_pendingModel;
    if (const auto model = m_session->model()) return QString::fromStdString(model->directory());
    return m_requestedModel;
}

void ImageModePanel::openModel(const QString& dir) {
    m_pendingModel.clear();
    m_requestedModel = dir;
    m_session->openModel(dir);
}

void ImageModePanel::openModelWhenNeeded(const QString& dir) {
    m_pendingModel = dir;
    if (isVisible()) loadPendingModel();
}

void ImageModePanel::loadPendingModel() {
    const QString dir = std::exchange(m_pendingModel, QString());  // a copy: openModel clears the member
    if (!dir.isEmpty()) openModel(dir);
}

void ImageModePanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    loadPendingModel();
}

QString ImageModePanel::openImageFile(const QString& path) {
    auto image = readImageFile(path);
    if (!image) {
        showError(QString::fromStdString(image.error()));
        return QString::fromStdString(image.error());
    }
    m_image = std::move(*image);
    m_imagePath = QFileInfo(path).absoluteFilePath();
    m_imageName = slugify(QFileInfo(path).completeBaseName());
    m_queryPatch = -1;
    m_blockedPatches.clear();
    forgetImportance();
    loadPendingModel();
    if (!m_session->model() && !m_session->isBusy()) showError(tr("Open an image model first (File > Open Image Model)."));
    requestRun();
    return {};
}

void ImageModePanel::setImage(const QImage& image, const QString& name) {
    if (image.isNull()) {
        showError(tr("The clipboard holds no image."));
        return;
    }
    m_image = toRgbImage(image);
    m_imagePath.clear();
    m_imageName = slugify(name);
    m_queryPatch = -1;
    m_blockedPatches.clear();
    forgetImportance();
    if (isVisible()) loadPendingModel();  // the example image alone does not load the model
    requestRun();
}

ImageRunOptions ImageModePanel::runOptions() const {
    ImageRunOptions options;
    const int prefix = m_session->model() ? m_session->model()->prefixTokens() : 1;
    if (static_cast<MaskChoice>(m_mask->currentData().toInt()) == MaskChoice::BlockPatches && !m_blockedPatches.empty()) {
        options.attentionMask.mode = AttentionMaskSpec::Mode::Block;
        for (int p : m_blockedPatches) options.attentionMask.blockedKeys.push_back(prefix + p);  // token index
    }
    for (const auto& [layer, head] : m_ablated) options.ablate.push_back({layer, head});
    return options;
}

void ImageModePanel::requestRun() {
    if (!m_image.pixels.empty()) m_session->requestAnalysis(m_image, runOptions());
}

void ImageModePanel::forgetImportance() {
    m_session->cancelHeadImportance();
    m_importance->setImportance(nullptr);
}

void ImageModePanel::requestHeadImportance() {
    if (!m_session->model() || m_image.pixels.empty()) {
        m_importance->setImportanceError(tr("Open an image and an image model first."));
        return;
    }
    m_importance->setImportance(nullptr);
    m_importance->setImportanceRunning(true);
    m_session->requestHeadImportance(m_image, runOptions());
}

void ImageModePanel::setMaskChoice(MaskChoice choice) { m_mask->setCurrentIndex(m_mask->findData(static_cast<int>(choice))); }

void ImageModePanel::toggleBlockedPatch(int patch) {
    if (!m_blockedPatches.erase(patch)) m_blockedPatches.insert(patch);
    forgetImportance();
    if (static_cast<MaskChoice>(m_mask->currentData().toInt()) != MaskChoice::BlockPatches) setMaskChoice(MaskChoice::BlockPatches);
    else requestRun();
}

void ImageModePanel::toggleAblated(int layer, int head) {
    if (!m_ablated.erase({layer, head})) m_ablated.insert({layer, head});
    forgetImportance();
    emit statusMessage(m_ablated.count({layer, head}) ? tr("Layer %1, head %2 switched off").arg(layer).arg(head)
                                                      : tr("Layer %1, head %2 switched on again").arg(layer).arg(head));
    requestRun();
}

void ImageModePanel::showError(const QString& text) { m_message->showError(text); }
QString ImageModePanel::message() const { return m_message->shownText(); }
void ImageModePanel::showView(View view) { m_tabs->setCurrentIndex(static_cast<int>(view)); }
ImageModePanel::View ImageModePanel::currentView() const { return static_cast<View>(m_tabs->currentIndex()); }
PatchHeatSource ImageModePanel::source() const { return static_cast<PatchHeatSource>(m_source->currentData().toInt()); }

void ImageModePanel::exportData(const QString& folder) {
    if (!m_analysis) {
        showError(tr("Nothing to export yet: open an image first."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Image Attention Data (all layers and heads)"),
                                                      QDir(folder).filePath(QStringLiteral("image_attention_%1.npy").arg(m_imageName)),
                                                      tr("NumPy array (*.npy);;CSV table (*.csv);;JSON (*.json)"));
    if (path.isEmpty()) return;
    if (const QString error = writeAttentionFile(path, m_analysis->attention, m_analysis->tokenLabels()); !error.isEmpty())
        showError(error);
    else
        emit statusMessage(tr("Wrote %1").arg(path));
}

PatchHeatRequest ImageModePanel::heatRequest() const {
    PatchHeatRequest r;
    r.source = source();
    r.layer = m_layer->value();
    r.head = m_head->value();
    r.queryPatch = m_queryPatch;
    r.discardFraction = m_discard->value() / 100.0;
    return r;
}

void ImageModePanel::setSource(PatchHeatSource source, int layer, int head) {
    const QSignalBlocker b1(m_source), b2(m_layer), b3(m_head);
    m_source->setCurrentIndex(m_source->findData(static_cast<int>(source)));
    m_layer->setValue(layer);
    m_head->setValue(head);
    refreshOverlay();
}

void ImageModePanel::refreshOverlay() {
    m_head->setEnabled(source() == PatchHeatSource::Head);
    m_layer->setEnabled(source() != PatchHeatSource::Rollout);
    m_discard->setEnabled(source() == PatchHeatSource::Rollout);
    if (!m_analysis) return;
    const auto request = heatRequest();
    m_overlay->setHeat(patchHeat(*m_analysis, request));
    m_overlay->setSelectedPatch(m_queryPatch);
    if (request.source == PatchHeatSource::Head) m_heads->setHighlighted(request.layer, request.head);
    else m_heads->setHighlighted(-1, -1);
    const QString query = m_queryPatch < 0 ? QStringLiteral("cls") : QStringLiteral("patch%1").arg(m_queryPatch);
    const QString what = request.source == PatchHeatSource::Rollout ? QStringLiteral("rollout")
                         : request.source == PatchHeatSource::HeadMean ? QStringLiteral("L%1_mean").arg(request.layer)
                                                                       : QStringLiteral("L%1_H%2").arg(request.layer).arg(request.head);
    m_overlay->setExportBaseName(QStringLiteral("image_attention_%1_%2_%3").arg(what, query, m_imageName));
    emit statusMessage(m_queryPatch < 0 ? tr("Showing what [CLS] attends to") : tr("Showing what patch %1 attends to").arg(m_queryPatch));
}

// Every head as a small overlay of the overlay's query; only the query changes it, not the head
// or layer chosen for the big overlay.
void ImageModePanel::refreshHeadGrid() {
    if (!m_analysis) return;
    const QString query = m_queryPatch < 0 ? QStringLiteral("cls") : QStringLiteral("patch%1").arg(m_queryPatch);
    const auto analysis = m_analysis;
    const int query2 = m_queryPatch;
    const QImage picture = toQImage(analysis->input);
    m_heads->setGrid(analysis->attention.layers, analysis->attention.heads,
                     [analysis, query2, picture](QPainter& p, const QRectF& cell, int l, int h) {
                         if (analysis->controls.isAblated(l, h)) {  // switched off: its attention is zero
                             p.fillRect(cell, kMaskedColor);
                             p.setPen(QPen(QColor(200, 40, 40), 2));
                             p.drawLine(cell.topLeft(), cell.bottomRight());
                             p.drawLine(cell.topRight(), cell.bottomLeft());
                             return;
                         }
                         PatchHeatRequest r;
                         r.source = PatchHeatSource::Head;
                         r.layer = l;
                         r.head = h;
                         r.queryPatch = query2;
                         p.drawImage(cell, picture);
                         const auto heat = patchHeat(*analysis, r);
                         QImage hm(analysis->gridCols, analysis->gridRows, QImage::Format_ARGB32);
                         for (int i = 0; i < static_cast<int>(heat.size()); ++i) {
                             QColor c = colorAt(ColorMap::Magma, heat[static_cast<std::size_t>(i)]);
                             c.setAlphaF(0.7f);
                             hm.setPixelColor(i % analysis->gridCols, i / analysis->gridCols, c);
                         }
                         p.drawImage(cell, hm);
                     },
                     tr("L"), tr("H"), tr("Every layer and head (%1); click one to open it").arg(query2 < 0 ? tr("[CLS]") : tr("patch %1").arg(query2)));
    m_heads->setExportBaseName(QStringLiteral("image_heads_%1_%2").arg(query, m_imageName));
}

void ImageModePanel::refreshPositions() {
    const auto model = m_session->model();
    if (!model) return;
    const auto& c = model->config();
    const int grid = c.imageSize / c.patchSize, prefix = model->prefixTokens(), hidden = c.hiddenSize;
    const auto& all = m_session->positionEmbeddings();
    if (all.size() != static_cast<std::size_t>(prefix + grid * grid) * hidden) return;
    std::vector<float> patches(all.begin() + static_cast<long>(prefix) * hidden, all.end());
    auto sim = std::make_shared<std::vector<float>>(cosineSimilarity(patches, grid * grid, hidden));
    m_positions->setGrid(grid, grid,
                         [sim, grid](QPainter& p, const QRectF& cell, int r, int col) {
                             const int i = r * grid + col;
                             QImage img(grid, grid, QImage::Format_RGB32);
                             for (int j = 0; j < grid * grid; ++j)
                                 img.setPixelColor(j % grid, j / grid,
                                                   colorAt(ColorMap::Viridis, ((*sim)[static_cast<std::size_t>(i) * grid * grid + j] + 1) / 2));
                             p.drawImage(cell, img);
                         },
                         QString(), QString(), tr("Position embedding similarity (row, column of the patch)"));
    m_positions->setExportBaseName(QStringLiteral("vit_position_similarity_%1").arg(slugify(m_modelLabel->text())));
}

ExportableView* ImageModePanel::currentExportable() const {
    switch (currentView()) {
    case View::Overlay: return m_overlay;
    case View::AllHeads: return m_heads;
    case View::Importance: return m_importance->grid();
    case View::PositionSimilarity: break;
    }
    return m_positions;
}

}  // namespace ascope::ui
