#include "widgets/message_banner.h"

namespace ascope::ui {

MessageBanner::MessageBanner(QWidget* parent) : QLabel(parent) {
    setWordWrap(true);
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    hide();
}

void MessageBanner::showError(const QString& text) {
    setStyleSheet(QStringLiteral("QLabel{background:#f8d7da;color:#58151c;padding:6px;border-radius:4px}"));
    setText(text);
    setVisible(!text.isEmpty());
}

void MessageBanner::clearMessage() {
    clear();
    hide();
}

QString MessageBanner::shownText() const { return isHidden() ? QString() : text(); }

}  // namespace ascope::ui
