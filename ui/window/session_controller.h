#pragma once
// Session files (.ascope) for the main window: File > Open / Save / Save As / Recent Sessions,
// `attention-scope FILE.ascope`, drag and drop. Captures the window's state (mode, models,
// sentence, token masks, the mask inside attention with its painted cells, switched-off heads,
// the view, the image) into the current step of the session and applies a step back. A session
// that cannot be read changes nothing; a model folder that no longer exists can be located.
#include <QObject>
#include <QString>
#include <QStringList>
#include <functional>

#include "session/session_file.h"

namespace ascope::ui {

class MainWindow;

class SessionController : public QObject {
    Q_OBJECT
public:
    explicit SessionController(MainWindow& window);

    // Reads `path` and shows its current step; returns "" or why not (nothing changed then).
    QString open(const QString& path);
    // Captures the window into the current step and writes the session to `path`; returns "" or why not.
    QString save(const QString& path);
    QString path() const { return m_path; }
    const SessionFile& file() const { return m_file; }
    int currentStep() const { return m_file.currentStep; }
    int stepCount() const { return static_cast<int>(m_file.steps.size()); }
    // Saves the window's state into the current step, then shows step `index`.
    void goToStep(int index);
    // The window's state as a step (title, notes and unknown fields of the current step kept).
    SessionStep capture() const;
    // Puts the window into `step`'s state (the model loads first when it is another one).
    void apply(const SessionStep& step);
    QStringList recentSessions() const;

    // Lesson editing. A new step holds the window's state now; the current step is saved first.
    void addStep(const QString& title, const QString& notes, const QString& tryThis);
    void editStep(int index, const QString& title, const QString& notes, const QString& tryThis);
    // Updates the current step from the window (keeping its text).
    void updateCurrentStep();
    void removeStep(int index);
    void moveStep(int from, int to);
    bool isModified() const { return m_modified; }

    // Asked for a replacement when a step's model folder is missing ("" = skip); the default asks
    // the user with a "Locate…" dialog.
    std::function<QString(const QString& missing)> locateFolder;

signals:
    void sessionChanged(const QString& path);
    void stepChanged(int index);
    // Steps added, removed, moved or retitled.
    void stepsChanged();

private:
    void remember(const QString& path);
    // Replaces missing model folders in every step (asking locateFolder once per folder).
    void locateMissingFolders(SessionFile& file);

    MainWindow& m_window;
    SessionFile m_file;
    QString m_path;
    bool m_modified = false;
};

}  // namespace ascope::ui
