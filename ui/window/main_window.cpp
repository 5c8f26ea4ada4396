#include "window/main_window.h"

#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QStatusBar>
#include <QStyle>
#include <QStyleFactory>
#include <QTabWidget>

#include "checkpoint/model_config.h"
#include "export/export_figure_dialog.h"
#include "export/figure_exporter.h"
#include "export/figure_sequence.h"
#include "export/sequence_export_dialog.h"
#include "panels/image_mode_panel.h"
#include "panels/text_mode_panel.h"
#include "panels/training_panel.h"
#include "util/resource_paths.h"
#include <QTabBar>

#include "window/model_menus.h"
#include "panels/lesson_panel.h"
#include "window/session_controller.h"

namespace ascope::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("Attention Scope"));
    setAcceptDrops(true);
    m_exportDir = QDir::homePath();
    m_modes = new QTabWidget(this);
    m_modes->setDocumentMode(true);
    m_text = new TextModePanel(this);
    m_image = new ImageModePanel(this);
    m_training = new TrainingPanel(this);
    // In Mode order.
    m_modes->addTab(m_text, tr("&Text"));
    m_modes->addTab(m_image, tr("&Image"));
    m_modes->addTab(m_training, tr("T&rain"));
    setCentralWidget(m_modes);
    m_sessions = new SessionController(*this);
    m_lesson = new LessonPanel(*m_sessions, this);
    m_lessonDock = new QDockWidget(tr("Lesson"), this);
    m_lessonDock->setObjectName(QStringLiteral("lessonDock"));
    m_lessonDock->setWidget(m_lesson);
    addDockWidget(Qt::RightDockWidgetArea, m_lessonDock);
    m_lessonDock->hide();
    connect(m_sessions, &SessionController::sessionChanged, this, [this](const QString& path) {
        setWindowTitle(tr("%1 — Attention Scope").arg(QFileInfo(path).fileName()));
        if (m_sessions->stepCount() > 1 && !m_presenting) m_lessonDock->show();  // a lesson
    });
    connect(m_lesson, &LessonPanel::stepShown, this, [this] {
        const QString notes = m_lesson->stepNotes();
        m_text->setLessonText(m_sessions->stepCount() > 1 || !notes.isEmpty()
                                  ? QStringLiteral("<b>%1</b> %2").arg(m_lesson->stepTitle().toHtmlEscaped(), notes.toHtmlEscaped())
                                  : QString());
    });
    buildMenus();

    auto status = [this](const QString& text, int timeoutMs) { statusBar()->showMessage(text, timeoutMs); };
    connect(m_text, &TextModePanel::statusMessage, this, status);
    connect(m_image, &ImageModePanel::statusMessage, this, [status](const QString& t) { status(t, 3000); });
    connect(m_text, &TextModePanel::modelOpened, m_modelMenus, &ModelMenus::addRecent);
    connect(m_training, &TrainingPanel::openResult, this, [this](const QString& dir) { openModel(dir); });
    resize(1280, 800);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open Session…"), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open a session"), sessionFolder(),
                                                          tr("Attention Scope sessions (*.ascope);;All files (*)"));
        if (!path.isEmpty()) openSession(path);
    });
    file->addAction(tr("&Save Session"), QKeySequence::Save, this, [this] { saveSession(false); });
    file->addAction(tr("Save Session &As…"), QKeySequence(tr("Ctrl+Shift+S")), this, [this] { saveSession(true); });
    file->addAction(tr("Open the &Course Lesson"), this, [this] {
        const QString lesson = builtinLesson();
        if (lesson.isEmpty()) showError(tr("The built-in lesson is not installed."));
        else openSession(lesson);
    });
    m_recentSessions = file->addMenu(tr("Recent S&essions"));
    connect(m_recentSessions, &QMenu::aboutToShow, this, &MainWindow::fillRecentSessions);
    file->addSeparator();
    file->addAction(tr("Open &Model…"), QKeySequence(tr("Ctrl+Shift+M")), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a Hugging Face model folder"), QDir::homePath());
        if (!dir.isEmpty()) openModel(dir);
    });
    file->addAction(tr("Open &Demo Model"), this, [this] {
        const QString demo = QString::fromStdString(builtinModelDir("demo-bert"));
        if (demo.isEmpty()) showError(tr("The built-in demo model is not installed."));
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
        showMode(Mode::Image);
        m_image->setImage(QApplication::clipboard()->image(), QStringLiteral("pasted"));
    });
    auto* recent = file->addMenu(tr("&Recent Models"));
    auto* cache = file->addMenu(tr("Hugging Face &Cache"));
    m_modelMenus = new ModelMenus(recent, cache, this);
    connect(m_modelMenus, &ModelMenus::modelChosen, this, [this](const QString& dir) { openModel(dir); });
    file->addSeparator();
    file->addAction(tr("&Export Figure…"), QKeySequence(tr("Ctrl+E")), this, &MainWindow::exportFigure);
    file->addAction(tr("Export Se&quence…"), QKeySequence(tr("Ctrl+Alt+E")), this, &MainWindow::exportSequence);
    file->addAction(tr("Export Attention &Data…"), QKeySequence(tr("Ctrl+Shift+E")), this, &MainWindow::exportData);
    file->addAction(tr("&Copy Figure"), QKeySequence(tr("Ctrl+Shift+C")), this, &MainWindow::copyFigure);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    auto* nav = menuBar()->addMenu(tr("&Navigate"));
    nav->addAction(tr("Next Layer"), QKeySequence(Qt::Key_PageDown), this, [this] { m_text->stepLayer(1); });
    nav->addAction(tr("Previous Layer"), QKeySequence(Qt::Key_PageUp), this, [this] { m_text->stepLayer(-1); });
    nav->addAction(tr("Next Head"), QKeySequence(Qt::Key_BracketRight), this, [this] { m_text->stepHead(1); });
    nav->addAction(tr("Previous Head"), QKeySequence(Qt::Key_BracketLeft), this, [this] { m_text->stepHead(-1); });
    nav->addAction(tr("Next Window of a Long Text"), QKeySequence(tr("Shift+PgDown")), this, [this] { m_text->stepWindow(1); });
    nav->addAction(tr("Previous Window of a Long Text"), QKeySequence(tr("Shift+PgUp")), this, [this] { m_text->stepWindow(-1); });
    nav->addAction(tr("Next Lesson Step"), QKeySequence(tr("Alt+Right")), this, [this] { m_lesson->next(); });
    nav->addAction(tr("Previous Lesson Step"), QKeySequence(tr("Alt+Left")), this, [this] { m_lesson->previous(); });
    nav->addAction(tr("Focus Sentence"), QKeySequence(tr("Ctrl+L")), this, [this] {
        showMode(Mode::Text);
        m_text->focusSentence();
    });

    auto* view = menuBar()->addMenu(tr("&View"));
    auto* dark = view->addAction(tr("&Dark Palette"));
    dark->setCheckable(true);
    dark->setShortcut(QKeySequence(tr("Ctrl+D")));
    connect(dark, &QAction::toggled, this, &MainWindow::setDarkPalette);
    view->addAction(tr("&Larger Text"), QKeySequence::ZoomIn, this, [this] { scaleFont(1.15); });
    view->addAction(tr("&Smaller Text"), QKeySequence::ZoomOut, this, [this] { scaleFont(1 / 1.15); });

    auto* lessonAction = m_lessonDock->toggleViewAction();
    lessonAction->setText(tr("&Lesson Steps"));
    lessonAction->setShortcut(QKeySequence(Qt::Key_F9));
    view->addAction(lessonAction);
    m_presentationAction = view->addAction(tr("&Presentation"));
    m_presentationAction->setCheckable(true);
    m_presentationAction->setShortcut(QKeySequence(Qt::Key_F11));
    m_presentationAction->setToolTip(tr("Full screen for a projector: large text, a caption, keyboard control (Esc leaves)"));
    connect(m_presentationAction, &QAction::toggled, this, &MainWindow::setPresentation);
    // Shortcuts of a hidden menu bar do not fire: the window carries them too, for presentation mode.
    for (auto* menu : {nav, view})
        for (auto* action : menu->actions()) addAction(action);
    auto* leave = new QAction(this);
    leave->setShortcut(QKeySequence(Qt::Key_Escape));
    connect(leave, &QAction::triggered, this, [this] {
        if (m_presenting) setPresentation(false);
    });
    addAction(leave);
    auto* maskHovered = new QAction(this);
    maskHovered->setShortcut(QKeySequence(Qt::Key_M));
    connect(maskHovered, &QAction::triggered, this, [this] {
        if (m_presenting) m_text->maskHoveredToken();
    });
    addAction(maskHovered);
    // In presentation mode the arrow keys step through the lesson (a focused sentence box keeps them).
    for (auto [key, forward] : {std::pair{Qt::Key_Right, true}, std::pair{Qt::Key_Left, false}}) {
        auto* step = new QAction(this);
        step->setShortcut(QKeySequence(key));
        connect(step, &QAction::triggered, this, [this, forward = forward] {
            if (!m_presenting) return;
            if (forward) m_lesson->next();
            else m_lesson->previous();
        });
        addAction(step);
    }

    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Attention Scope"), this, [this] {
        QMessageBox::about(this, tr("About Attention Scope"),
                           tr("<b>Attention Scope</b> %1<br>Look inside transformer models: attention of every layer "
                              "and head, masked-token predictions and positional encodings, computed on your CPU with "
                              "LibTorch.").arg(QApplication::applicationVersion()));
    });
}

void MainWindow::openModel(const QString& dir, Show show) {
    auto config = ModelConfig::fromFile(QDir(dir).filePath(QStringLiteral("config.json")).toStdString());
    if (config && config->isVision()) {
        openImageModel(dir, show);
        return;
    }
    if (show == Show::ModelMode) showMode(Mode::Text);
    m_text->openModel(dir);  // errors (no config.json, bad JSON) are reported by the panel
}

void MainWindow::openImageModel(const QString& dir, Show show) {
    if (show == Show::ModelMode) showMode(Mode::Image);
    m_image->openModel(dir);
    m_modelMenus->addRecent(dir);
}

void MainWindow::openImage(const QString& path) {
    showMode(Mode::Image);
    m_image->openImageFile(path);
}

void MainWindow::showMode(Mode mode) { m_modes->setCurrentIndex(static_cast<int>(mode)); }
MainWindow::Mode MainWindow::currentMode() const { return static_cast<Mode>(m_modes->currentIndex()); }

void MainWindow::showError(const QString& text) {
    if (currentMode() == Mode::Image) m_image->showError(text);
    else m_text->showError(text);
}

ExportableView* MainWindow::currentExportable() const {
    return currentMode() == Mode::Image ? m_image->currentExportable() : m_text->currentExportable();
}

void MainWindow::exportFigure() {
    if (currentMode() == Mode::Train) showMode(Mode::Text);
    const QString error = ExportFigureDialog::run(*currentExportable(), m_exportDir, this);
    if (!error.isEmpty()) showError(error);
}

void MainWindow::exportSequence() {
    showMode(Mode::Text);
    if (!viewHasSequence(*m_text)) {
        showError(tr("A sequence steps through layers or heads: show the attention heatmap, the head view or one head "
                     "step by step first."));
        return;
    }
    SequenceExportDialog dialog(QDir(m_exportDir).filePath(QStringLiteral("attention-sequence")), this);
    if (dialog.exec() != QDialog::Accepted) return;
    QStringList written;
    const QString error = ascope::ui::exportSequence(*m_text, dialog.request(), &written);
    if (!error.isEmpty()) showError(error);
    else statusBar()->showMessage(tr("Wrote %n file(s) to %1", nullptr, static_cast<int>(written.size())).arg(dialog.request().folder), 6000);
}

void MainWindow::copyFigure() {
    copyFigureToClipboard(*currentExportable());
    statusBar()->showMessage(tr("Figure copied to the clipboard"), 3000);
}

void MainWindow::exportData() {
    if (currentMode() == Mode::Image) m_image->exportData(m_exportDir);
    else m_text->exportData(m_exportDir);
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

void MainWindow::setPresentation(bool on) {
    if (on == m_presenting) return;
    m_presenting = on;
    {
        const QSignalBlocker block(m_presentationAction);
        m_presentationAction->setChecked(on);
    }
    if (on) {
        m_fontBeforePresentation = qApp->font();
        m_wasMaximized = isMaximized();
        QFont big = m_fontBeforePresentation;
        big.setPointSizeF(std::clamp(big.pointSizeF() * 1.6, 14.0, 40.0));
        qApp->setFont(big);
        showFullScreen();
    } else {
        qApp->setFont(m_fontBeforePresentation);
        if (m_wasMaximized) showMaximized();
        else showNormal();
    }
    if (on) {
        m_lessonDockWasVisible = m_lessonDock->isVisible();
        m_lessonDock->hide();  // the step's text goes into the view's caption
    } else if (m_lessonDockWasVisible) {
        m_lessonDock->show();
    }
    if (on) m_modes->currentWidget()->setFocus();  // not the sentence box: the arrow keys step the lesson
    menuBar()->setVisible(!on);
    statusBar()->setVisible(!on);
    m_modes->tabBar()->setVisible(!on);
    m_text->setPresentation(on);
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

QString MainWindow::builtinLesson() { return QString::fromStdString(builtinDataFile("lessons/course.ascope")); }

QString MainWindow::sessionFolder() const {
    return m_sessions->path().isEmpty() ? QDir::homePath() : QFileInfo(m_sessions->path()).absolutePath();
}

void MainWindow::openSession(const QString& path) {
    const QString error = m_sessions->open(path);
    if (!error.isEmpty()) showError(tr("Could not open the session: %1").arg(error));
}

bool MainWindow::saveSession(bool askForPath) {
    QString path = m_sessions->path();
    if (askForPath || path.isEmpty()) {
        path = QFileDialog::getSaveFileName(this, tr("Save the session"),
                                            path.isEmpty() ? QDir(sessionFolder()).filePath(QStringLiteral("session.ascope")) : path,
                                            tr("Attention Scope sessions (*.ascope)"));
        if (path.isEmpty()) return false;
        if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".ascope");
    }
    const QString error = m_sessions->save(path);
    if (!error.isEmpty()) {
        showError(tr("Could not save the session: %1").arg(error));
        return false;
    }
    statusBar()->showMessage(tr("Saved %1").arg(path), 4000);
    return true;
}

void MainWindow::fillRecentSessions() {
    m_recentSessions->clear();
    for (const QString& path : m_sessions->recentSessions())
        m_recentSessions->addAction(path, this, [this, path] { openSession(path); });
    if (m_recentSessions->isEmpty()) m_recentSessions->addAction(tr("(none yet)"))->setEnabled(false);
}

void MainWindow::dropEvent(QDropEvent* event) {
    for (const auto& url : event->mimeData()->urls()) {
        const QFileInfo info(url.toLocalFile());
        if (info.isDir()) {
            openModel(info.absoluteFilePath());
            return;
        }
        if (info.isFile() && info.suffix().compare(QStringLiteral("ascope"), Qt::CaseInsensitive) == 0) {
            openSession(info.absoluteFilePath());
            return;
        }
        if (info.isFile()) {
            openImage(info.absoluteFilePath());
            return;
        }
    }
    showError(tr("Drop a model folder (with config.json), a session (.ascope) or an image onto the window."));
}

}  // namespace ascope::ui
