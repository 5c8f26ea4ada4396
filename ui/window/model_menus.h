#pragma once
// The model picker's menus: recent models (remembered with QSettings) and models found in the
// local Hugging Face cache.
#include <QObject>
#include <QStringList>

class QMenu;

namespace ascope::ui {

class ModelMenus : public QObject {
    Q_OBJECT
public:
    ModelMenus(QMenu* recent, QMenu* cache, QObject* parent = nullptr);
    void addRecent(const QString& dir);
    QStringList recentModels() const;
    void rebuild();

signals:
    void modelChosen(const QString& dir);

private:
    QMenu* m_recent;
    QMenu* m_cache;
};

}  // namespace ascope::ui
