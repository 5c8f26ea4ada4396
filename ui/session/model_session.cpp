#include "session/model_session.h"

namespace ascope::ui {

ModelSession::ModelSession(const QString& threadName, QObject* parent)
    : QObject(parent), m_worker(threadName) {
    connect(&m_worker, &BackgroundWorker::busyChanged, this, &ModelSession::busyChanged);
}

}  // namespace ascope::ui
