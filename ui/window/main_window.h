#pragma once
// Attention Scope's main window: the application shell. It hosts the three modes (text, image,
// train) as panels and owns what is not a mode's: menus, drag and drop, palette and text size,
// the status bar, and the question before closing during training.
#include <QFont>
#include <QMainWindow>

class QDockWidget;
class QMenu;

namespace ascope::ui {

class ExportableView;
class ImageModePanel;
class LessonPanel;
class ModelMenus;
class SessionController;
class TextModePanel;
class TrainingPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // The modes, in tab order.
    enum class Mode { Text, Image, Train };

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a model folder in the mode its config.json asks for (text or image) and shows that
    // mode, or, with Show::Keep, leaves the mode shown alone (the start-up load, which must not
    // undo --mode or --image).
    enum class Show { ModelMode, Keep };
    void openModel(const QString& dir, Show show = Show::ModelMode);
    void openImageModel(const QString& dir, Show show = Show::ModelMode);
    void openImage(const QString& path);
    void showMode(Mode mode);
    Mode currentMode() const;
    ExportableView* currentExportable() const;
    // View > Presentation (F11): full screen, larger text, menus, status bar and secondary controls
    // hidden, a caption of the current view, keyboard control; Esc or F11 leaves and restores.
    void setPresentation(bool on);
    bool isPresenting() const { return m_presenting; }

    // Session files (.ascope): errors go to the banner and change nothing.
    void openSession(const QString& path);
    // Saves to the session's file, or asks for one (always with askForPath); false if not saved.
    bool saveSession(bool askForPath);
    SessionController* sessions() const { return m_sessions; }
    LessonPanel* lessonPanel() const { return m_lesson; }
    QDockWidget* lessonDock() const { return m_lessonDock; }
    // The course lesson that ships with the app ("" when it is not installed).
    static QString builtinLesson();

    TextModePanel* textPanel() const { return m_text; }
    ImageModePanel* imagePanel() const { return m_image; }
    TrainingPanel* trainingPanel() const { return m_training; }

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void exportFigure();
    void exportData();
    void exportSequence();
    void copyFigure();
    void showError(const QString& text);
    void setDarkPalette(bool dark);
    void scaleFont(double factor);
    void fillRecentSessions();
    QString sessionFolder() const;

    QTabWidget* m_modes;
    TextModePanel* m_text;
    ImageModePanel* m_image;
    TrainingPanel* m_training;
    ModelMenus* m_modelMenus = nullptr;
    SessionController* m_sessions = nullptr;
    QMenu* m_recentSessions = nullptr;
    LessonPanel* m_lesson = nullptr;
    QDockWidget* m_lessonDock = nullptr;
    bool m_lessonDockWasVisible = false;
    QString m_exportDir;
    bool m_presenting = false;
    QFont m_fontBeforePresentation;
    bool m_wasMaximized = false;
    QAction* m_presentationAction = nullptr;
};

}  // namespace ascope::ui
