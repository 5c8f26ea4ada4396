#include "window/main_window.h"

#include <QApplication>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QStyleFactory>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include "export/attention_exporter.h"
#include "export/export_figure_dialog.h"
#include "export/figure_exporter.h"
#include "panels/attention_panel.h"
#include "panels/image_mode_panel.h"
#include "panels/training_panel.h"
#include <QCloseEvent>
#include "checkpoint/model_config.h"
#include "io/image_file_reader.h"
#include <QClipboard>
#include "panels/positional_encoding_panel.h"
#include "util/resource_paths.h"
#include "widgets/attention_arc_widget.h"
#include "widgets/head_grid_widget.h"
#include "widgets/heatmap_plot_widget.h"
#include "widgets/prediction_chart_widget.h"
#include "widgets/token_strip_widget.h"
#include "window/model_menus.h"
#include "window/teaching_examples.h"

namespace ascope::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), m_session(new TextSession(this)) {
    setWindowTitle(tr("Attention Scope"));
    setAcceptDrops(true);
    m_exportDir = QDir::homePath();
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);

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
    m_busy = new QProgressBar(this);
    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(80);
    m_busy->setVisible(false);
    m_busy->setToolTip(tr("The model is running"));
    top->addWidget(m_modelLabel);
    top->addWidget(m_sentence, 1);
    top->addWidget(examples);
    top->addWidget(m_topK);
    top->addWidget(m_busy);
    layout->addLayout(top);

    m_strip = new TokenStripWidget(this);
    auto* stripScroll = new QScrollArea(this);
    stripScroll->setWidget(m_strip);
    stripScroll->setWidgetResizable(true);
    stripScroll->setFrameShape(QFrame::NoFrame);
    stripScroll->setFixedHeight(m_strip->sizeHint().height() + 24);
    stripScroll->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    layout->addWidget(stripScroll);

    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setVisible(false);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
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
    m_tabs->addTab(split, tr("&Attention"));
    m_grid = new HeadGridWidget(this);
    m_tabs->addTab(m_grid, tr("&Model view"));
    m_arcs = new AttentionArcWidget(this);
    m_tabs->addTab(m_arcs, tr("&Head view"));
    m_positional = new PositionalEncodingPanel(this);
    m_tabs->addTab(m_positional, tr("&Positional encodings"));
    layout->addWidget(m_tabs, 1);
    m_modes = new QTabWidget(this);
    m_modes->setDocumentMode(true);
    m_modes->addTab(central, tr("&Text"));
    m_image = new ImageModePanel(this);
    m_modes->addTab(m_image, tr("&Image"));
    m_training = new TrainingPanel(this);
    m_modes->addTab(m_training, tr("T&rain"));
    connect(m_training, &TrainingPanel::openResult, this, &MainWindow::openModel);
    setCentralWidget(m_modes);
    connect(m_image, &ImageModePanel::statusMessage, this, [this](const QString& t) { statusBar()->showMessage(t, 3000); });
    buildMenus();

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(150);
    connect(&m_debounce, &QTimer::timeout, this, &MainWindow::retokenize);
    connect(m_sentence, &QLineEdit::textChanged, this, [this] { m_debounce.start(); });
    connect(m_topK, qOverload<int>(&QSpinBox::valueChanged), this, &MainWindow::requestRun);
    connect(m_strip, &TokenStripWidget::tokenToggled, this, &MainWindow::toggleToken);
    connect(m_attention, &AttentionPanel::selectionChanged, this, &MainWindow::updateViewsForSelection);
    connect(m_attention, &AttentionPanel::colorMapChanged, this, [this](int i) { m_grid->setColorMap(colorMapFromIndex(i)); });
    connect(m_grid, &HeadGridWidget::headClicked, this, [this](int l, int h) {
        m_attention->setSelection(l, h);
        m_tabs->setCurrentIndex(0);
    });
    connect(m_session, &TextSession::busyChanged, m_busy, &QWidget::setVisible);
    connect(m_session, &TextSession::modelLoading, this, [this](const QString& dir) {
        statusBar()->showMessage(tr("Loading %1…").arg(dir));
    });
    connect(m_session, &TextSession::modelLoaded, this, [this](const QString& dir) {
        const auto& c = m_session->model()->config();
        m_modelLabel->setText(QFileInfo(dir).fileName());
        m_modelLabel->setToolTip(tr("%1\n%2 layers, %3 heads, hidden %4, vocabulary %5")
                                     .arg(dir).arg(c.numLayers).arg(c.numHeads).arg(c.hiddenSize).arg(c.vocabSize));
        statusBar()->showMessage(tr("Loaded %1 (%2 layers x %3 heads)").arg(dir).arg(c.numLayers).arg(c.numHeads), 5000);
        if (m_modelMenus) m_modelMenus->addRecent(dir);
        m_positional->setModel(c.hiddenSize, c.maxPositionEmbeddings, m_session->positionEmbeddings());
        showMessage(QString(), false);
        retokenize();
    });
    connect(m_session, &TextSession::modelFailed, this, [this](const QString& msg) {
        showMessage(tr("Could not open the model: %1").arg(msg), true);
        statusBar()->showMessage(tr("Model not loaded"), 5000);
    });
    connect(m_session, &TextSession::analysisReady, this, &MainWindow::showAnalysis);
    connect(m_session, &TextSession::analysisFailed, this, [this](const QString& msg) { showMessage(msg, true); });
    resize(1280, 800);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open Model…"), QKeySequence::Open, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a Hugging Face model folder"), QDir::homePath());
        if (!dir.isEmpty()) openModel(dir);
    });
    file->addAction(tr("Open &Demo Model"), this, [this] {
        const QString demo = QString::fromStdString(builtinModelDir("demo-bert"));
        if (demo.isEmpty()) showMessage(tr("The built-in demo model is not installed."), true);
        else openModel(demo);
    });
    file->addAction(tr("Open &Image…"), QKeySequence(tr("Ctrl+Shift+O")), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open an image"), QDir::homePath(),
                                                          tr("Images (*.png *.jpg *.jpeg *.bmp *.ppm *.pgm *.gif *.webp *.tif *.tiff);;All files (*)"));
        if (!path.isEmpty()) openImage(path);
    });
    file->addAction(tr("Open Image &Model…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a ViT / DeiT model folder"), QDir::homePath());
        if (!dir.isEmpty()) openImageModel(dir);
    });
    file->addAction(tr("&Paste Image"), QKeySequence(tr("Ctrl+Shift+V")), this, [this] {
        m_modes->setCurrentWidget(m_image);
        m_image->setImage(QApplication::clipboard()->image(), QStringLiteral("pasted"));
    });
    auto* recent = file->addMenu(tr("&Recent Models"));
    auto* cache = file->addMenu(tr("Hugging Face &Cache"));
    m_modelMenus = new ModelMenus(recent, cache, this);
    connect(m_modelMenus, &ModelMenus::modelChosen, this, &MainWindow::openModel);
    file->addSeparator();
    file->addAction(tr("&Export Figure…"), QKeySequence(tr("Ctrl+E")), this, &MainWindow::exportFigure);
    file->addAction(tr("Export Attention &Data…"), QKeySequence(tr("Ctrl+Shift+E")), this, &MainWindow::exportData);
    file->addAction(tr("&Copy Figure"), QKeySequence(tr("Ctrl+Shift+C")), this, &MainWindow::copyFigure);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    auto* nav = menuBar()->addMenu(tr("&Navigate"));
    nav->addAction(tr("Next Layer"), QKeySequence(Qt::Key_PageDown), this, [this] { m_attention->stepLayer(1); });
    nav->addAction(tr("Previous Layer"), QKeySequence(Qt::Key_PageUp), this, [this] { m_attention->stepLayer(-1); });
    nav->addAction(tr("Next Head"), QKeySequence(Qt::Key_BracketRight), this, [this] { m_attention->stepHead(1); });
    nav->addAction(tr("Previous Head"), QKeySequence(Qt::Key_BracketLeft), this, [this] { m_attention->stepHead(-1); });
    nav->addAction(tr("Focus Sentence"), QKeySequence(tr("Ctrl+L")), this, [this] { m_sentence->setFocus(); m_sentence->selectAll(); });

    auto* view = menuBar()->addMenu(tr("&View"));
    auto* dark = view->addAction(tr("&Dark Palette"));
    dark->setCheckable(true);
    dark->setShortcut(QKeySequence(tr("Ctrl+D")));
    connect(dark, &QAction::toggled, this, &MainWindow::setDarkPalette);
    view->addAction(tr("&Larger Text"), QKeySequence::ZoomIn, this, [this] { scaleFont(1.15); });
    view->addAction(tr("&Smaller Text"), QKeySequence::ZoomOut, this, [this] { scaleFont(1 / 1.15); });

    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Attention Scope"), this, [this] {
        QMessageBox::about(this, tr("About Attention Scope"),
                           tr("<b>Attention Scope</b><br>Look inside transformer models: attention of every layer and "
                              "head, masked-token predictions and positional encodings, computed on your CPU with "
                              "LibTorch."));
    });
}

void MainWindow::openModel(const QString& dir) {
    auto config = ModelConfig::fromFile(QDir(dir).filePath(QStringLiteral("config.json")).toStdString());
    if (config && config->isVision()) openImageModel(dir);
    else m_session->openModel(dir);  // errors (no config.json, bad JSON) are reported by the session
}

void MainWindow::openImageModel(const QString& dir) {
    m_modes->setCurrentWidget(m_image);
    m_image->openModel(dir);
    if (m_modelMenus) m_modelMenus->addRecent(dir);
}

void MainWindow::openImage(const QString& path) {
    m_modes->setCurrentWidget(m_image);
    m_image->openImageFile(path);
}

void MainWindow::setSentence(const QString& text) {
    m_sentence->setText(text);
    m_debounce.stop();
    retokenize();
}

void MainWindow::retokenize() {
    const auto model = m_session->model();
    if (!model) return;
    m_tokens = model->tokenizer().encode(m_sentence->text().toStdString());
    m_masked.clear();
    m_strip->setTokens(m_sentence->text(), m_tokens, m_masked);
    requestRun();
}

void MainWindow::toggleToken(int index) {
    if (index < 0 || index >= static_cast<int>(m_tokens.size())) return;
    if (m_tokens[static_cast<std::size_t>(index)].text == "[MASK]") return;  // typed [MASK]: nothing to restore
    if (!m_masked.erase(index)) m_masked.insert(index);
    m_strip->setTokens(m_sentence->text(), m_tokens, m_masked);
    requestRun();
}

void MainWindow::requestRun() {
    const auto model = m_session->model();
    if (!model || m_tokens.empty()) return;
    if (static_cast<int>(m_tokens.size()) > model->maxTokens()) {
        showMessage(tr("The sentence is %1 tokens long; this model takes at most %2. Showing the previous result.")
                        .arg(m_tokens.size()).arg(model->maxTokens()), true);
        return;
    }
    std::vector<Token> tokens = m_tokens;
    for (int i : m_masked) {
        tokens[static_cast<std::size_t>(i)].id = model->tokenizer().maskId();
        tokens[static_cast<std::size_t>(i)].text = "[MASK]";
    }
    m_session->requestAnalysis(m_sentence->text(), tokens, m_topK->value());
}

void MainWindow::showAnalysis(TextAnalysisPtr analysis) {
    m_analysis = std::move(analysis);
    showMessage(QString(), false);
    m_attention->setAnalysis(m_analysis);
    m_predictions->setPredictions(*m_analysis);
    m_grid->setAttention(m_analysis->attention);
    updateViewsForSelection();
    statusBar()->showMessage(tr("%1 tokens, %2 layers x %3 heads").arg(m_analysis->tokens.size())
                                 .arg(m_analysis->attention.layers).arg(m_analysis->attention.heads), 4000);
    emit analysisShown();
}

void MainWindow::updateViewsForSelection() {
    if (!m_analysis) return;
    const QString slug = sentenceSlug();
    m_grid->setSelected(m_attention->layer(), m_attention->head());
    const auto& shown = m_attention->shownMatrix();
    QStringList labels;
    for (int i : shown.tokenIndex) labels << QString::fromStdString(m_analysis->tokens[static_cast<std::size_t>(i)].text);
    m_arcs->setAttention(labels, shown.values, m_attention->selectionTitle());
    m_attention->heatmap()->setExportBaseName(QStringLiteral("attention_%1_%2").arg(m_attention->selectionSlug(), slug));
    m_arcs->setExportBaseName(QStringLiteral("head_view_%1_%2").arg(m_attention->selectionSlug(), slug));
    m_grid->setExportBaseName(QStringLiteral("model_view_%1").arg(slug));
    m_predictions->setExportBaseName(QStringLiteral("predictions_%1").arg(slug));
}

QString MainWindow::sentenceSlug() const { return slugify(m_sentence->text()); }

void MainWindow::showMessage(const QString& text, bool error) {
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
    m_message->setStyleSheet(error ? QStringLiteral("QLabel{background:#f8d7da;color:#58151c;padding:6px;border-radius:4px}")
                                   : QStringLiteral("QLabel{padding:6px}"));
}

QString MainWindow::messageText() const { return m_message->isHidden() ? QString() : m_message->text(); }

ExportableView* MainWindow::currentExportable() const {
    if (m_modes->currentWidget() == m_image) return m_image->currentExportable();
    switch (m_tabs->currentIndex()) {
    case 0: return m_attention->heatmap();
    case 1: return m_grid;
    case 2: return m_arcs;
    default: return m_positional;
    }
}

void MainWindow::exportFigure() {
    auto* view = currentExportable();
    const QString error = ExportFigureDialog::run(*view, m_exportDir, this);
    if (!error.isEmpty()) showMessage(error, true);
}

void MainWindow::copyFigure() {
    copyFigureToClipboard(*currentExportable());
    statusBar()->showMessage(tr("Figure copied to the clipboard"), 3000);
}

void MainWindow::exportData() {
    if (m_modes->currentWidget() == m_image) {
        const auto a = m_image->analysis();
        if (!a) {
            showMessage(tr("Nothing to export yet: open an image first."), true);
            return;
        }
        const QString path = QFileDialog::getSaveFileName(this, tr("Export Image Attention Data (all layers and heads)"),
                                                          QDir(m_exportDir).filePath(QStringLiteral("image_attention_%1.npy").arg(m_image->imageSlug())),
                                                          tr("NumPy array (*.npy);;CSV table (*.csv);;JSON (*.json)"));
        if (path.isEmpty()) return;
        ExportFormat format = ExportFormat::Npy;
        if (!parseExportFormat(QFileInfo(path).suffix().toLower().toStdString(), format))
            showMessage(tr("Choose a file ending in .npy, .csv or .json"), true);
        else if (auto st = writeAttention(path.toStdString(), a->attention, a->tokenLabels(), {}, format); !st)
            showMessage(QString::fromStdString(st.error()), true);
        return;
    }
    if (!m_analysis) {
        showMessage(tr("Nothing to export yet: analyse a sentence first."), true);
        return;
    }
    QString filter;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Attention Data (all layers and heads)"),
        QDir(m_exportDir).filePath(QStringLiteral("attention_%1.npy").arg(sentenceSlug())),
        tr("NumPy array (*.npy);;CSV table (*.csv);;JSON (*.json)"), &filter);
    if (path.isEmpty()) return;
    ExportFormat format = ExportFormat::Npy;
    if (!parseExportFormat(QFileInfo(path).suffix().toLower().toStdString(), format)) {
        showMessage(tr("Choose a file ending in .npy, .csv or .json"), true);
        return;
    }
    std::vector<std::string> labels;
    for (const auto& t : m_analysis->tokens) labels.push_back(t.text);
    if (auto st = writeAttention(path.toStdString(), m_analysis->attention, labels, {}, format); !st)
        showMessage(QString::fromStdString(st.error()), true);
    else
        statusBar()->showMessage(tr("Wrote %1").arg(path), 5000);
}

void MainWindow::setDarkPalette(bool dark) {
    qApp->setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    if (!dark) {
        qApp->setPalette(qApp->style()->standardPalette());
        return;
    }
    QPalette p;
    p.setColor(QPalette::Window, QColor(37, 37, 38));
    p.setColor(QPalette::WindowText, QColor(230, 230, 230));
    p.setColor(QPalette::Base, QColor(30, 30, 30));
    p.setColor(QPalette::AlternateBase, QColor(45, 45, 48));
    p.setColor(QPalette::Text, QColor(230, 230, 230));
    p.setColor(QPalette::Button, QColor(50, 50, 52));
    p.setColor(QPalette::ButtonText, QColor(230, 230, 230));
    p.setColor(QPalette::Highlight, QColor(232, 163, 61));
    p.setColor(QPalette::HighlightedText, Qt::black);
    p.setColor(QPalette::ToolTipBase, QColor(50, 50, 52));
    p.setColor(QPalette::ToolTipText, QColor(230, 230, 230));
    qApp->setPalette(p);
}

void MainWindow::scaleFont(double factor) {
    QFont f = qApp->font();
    f.setPointSizeF(std::clamp(f.pointSizeF() * factor, 7.0, 40.0));
    qApp->setFont(f);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (m_training->isTraining()) {
        const auto answer = QMessageBox::question(this, tr("Training in progress"),
                                                  tr("A model is training. Stop it (a checkpoint is written) and quit?"));
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_training->worker().stopAndWait();
    }
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    for (const auto& url : event->mimeData()->urls()) {
        const QFileInfo info(url.toLocalFile());
        if (info.isDir()) {
            openModel(info.absoluteFilePath());
            return;
        }
        if (info.isFile()) {
            openImage(info.absoluteFilePath());
            return;
        }
    }
    showMessage(tr("Drop a model folder (with config.json) or an image onto the window."), true);
}

}  // namespace ascope::ui
