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
#include "widgets/image_overlay_widget.h"
#include "widgets/message_banner.h"
#include "widgets/prediction_chart_widget.h"
#include "widgets/small_multiples_widget.h"

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
    m_positions = new SmallMultiplesWidget(this);
    m_positions->setToolTip(tr("Each small map: cosine similarity of one patch position's embedding to every other "
                               "(Dosovitskiy et al. 2020, figure 7)"));
    m_positions->setEmptyMessage(tr("Open an image model to see its position embeddings"));
    // In View order.
    m_tabs->addTab(split, tr("&Overlay"));
    m_tabs->addTab(m_heads, tr("All &heads"));
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
    connect(m_overlay, &ImageOverlayWidget::patchClicked, this, [this](int patch) {
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
        refreshPositions();
        if (!m_image.pixels.empty()) m_session->requestAnalysis(m_image);
    });
    connect(m_session, &ImageSession::modelFailed, this, [this](const QString& e) { showError(tr("Could not open the image model: %1").arg(e)); });
    connect(m_session, &ImageSession::analysisFailed, this, &ImageModePanel::showError);
    connect(m_session, &ImageSession::analysisReady, this, [this](ImageAnalysisPtr a) {
        m_analysis = std::move(a);
        m_message->clearMessage();
        m_classes->setClasses(tr("Top-%1 classes").arg(m_analysis->top.size()), m_analysis->top,
                              tr("This checkpoint has no classifier head: attention only"));
        m_overlay->setImage(toQImage(m_analysis->input), m_analysis->gridRows, m_analysis->gridCols);
        refreshOverlay();
        refreshHeadGrid();
        emit analysisShown();
    });
}

void ImageModePanel::openModel(const QString& dir) { m_session->openModel(dir); }

QString ImageModePanel::openImageFile(const QString& path) {
    auto image = readImageFile(path);
    if (!image) {
        showError(QString::fromStdString(image.error()));
        return QString::fromStdString(image.error());
    }
    m_image = std::move(*image);
    m_imageName = slugify(QFileInfo(path).completeBaseName());
    m_queryPatch = -1;
    if (!m_session->model()) showError(tr("Open an image model first (File > Open Image Model)."));
    m_session->requestAnalysis(m_image);
    return {};
}

void ImageModePanel::setImage(const QImage& image, const QString& name) {
    if (image.isNull()) {
        showError(tr("The clipboard holds no image."));
        return;
    }
    m_image = toRgbImage(image);
    m_imageName = slugify(name);
    m_queryPatch = -1;
    m_session->requestAnalysis(m_image);
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
    case View::PositionSimilarity: break;
    }
    return m_positions;
}

}  // namespace ascope::ui
