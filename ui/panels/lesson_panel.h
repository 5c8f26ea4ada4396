#pragma once
// The Lessons panel (a dock beside the window's modes): the steps of the open session as a list
// (drag to reorder), the current step's title, explanation and "try this" prompt, Previous/Next
// (buttons, Alt+Left/Alt+Right, the arrow keys in presentation mode), and the lecturer's editing:
// add a step from what the window shows now, update a step from the view, edit its text, delete.
// The steps live in the SessionController; File > Save Session writes them.
#include <QWidget>
#include <functional>

class QLabel;
class QListWidget;
class QPushButton;

namespace ascope::ui {

class SessionController;

class LessonPanel : public QWidget {
    Q_OBJECT
public:
    LessonPanel(SessionController& sessions, QWidget* parent = nullptr);

    void next();
    void previous();
    // The current step's text as shown (title, notes and prompt), e.g. for presentation mode.
    QString stepTitle() const;
    QString stepNotes() const;
    QString stepPrompt() const;
    QListWidget* stepList() const { return m_list; }

    // Asks for a step's text (title, notes, try this); false when cancelled. Tests replace it.
    std::function<bool(QString& title, QString& notes, QString& tryThis)> askForText;

signals:
    void stepShown();

private:
    void refreshList();
    void showStep(int index);
    void addStep();
    void editStep();
    void deleteStep();

    SessionController& m_sessions;
    QLabel* m_position;
    QLabel* m_title;
    QLabel* m_notes;
    QLabel* m_prompt;
    QListWidget* m_list;
    QPushButton* m_previous;
    QPushButton* m_next;
    bool m_refreshing = false;
};

}  // namespace ascope::ui
