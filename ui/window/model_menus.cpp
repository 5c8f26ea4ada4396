#include "window/model_menus.h"

#include <QDir>
#include <QMenu>
#include <QSettings>

#include "checkpoint/model_discovery.h"

namespace ascope::ui {

namespace {
const char* kRecentKey = "models/recent";
}

ModelMenus::ModelMenus(QMenu* recent, QMenu* cache, QObject* parent) : QObject(parent), m_recent(recent), m_cache(cache) {
    rebuild();
}

QStringList ModelMenus::recentModels() const { return QSettings().value(kRecentKey).toStringList(); }

void ModelMenus::addRecent(const QString& dir) {
    QStringList list = recentModels();
    const QString clean = QDir::cleanPath(dir);
    list.removeAll(clean);
    list.prepend(clean);
    while (list.size() > 10) list.removeLast();
    QSettings().setValue(kRecentKey, list);
    rebuild();
}

void ModelMenus::rebuild() {
    m_recent->clear();
    for (const auto& dir : recentModels())
        m_recent->addAction(dir, this, [this, dir] { emit modelChosen(dir); });
    if (m_recent->isEmpty()) m_recent->addAction(tr("(none yet)"))->setEnabled(false);
    m_cache->clear();
    const auto found = findCachedModels();
    for (const auto& m : found) {
        const QString dir = QString::fromStdString(m.dir);
        auto* a = m_cache->addAction(QString::fromStdString(m.name), this, [this, dir] { emit modelChosen(dir); });
        a->setToolTip(dir);
    }
    if (found.empty())
        m_cache->addAction(tr("(no models in %1)").arg(QString::fromStdString(huggingFaceHubCache())))->setEnabled(false);
}

}  // namespace ascope::ui
