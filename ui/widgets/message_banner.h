#pragma once
// The one-line banner a panel shows above its views: an error, in red, kept until the next
// success. Empty text hides it.
#include <QLabel>

namespace ascope::ui {

class MessageBanner : public QLabel {
    Q_OBJECT
public:
    explicit MessageBanner(QWidget* parent = nullptr);
    void showError(const QString& text);
    void clearMessage();
    // The text shown, or "" when hidden.
    QString shownText() const;
};

}  // namespace ascope::ui
