#include "session/model_session.h"

#include <QPointer>

namespace ascope::ui {

ModelSession::ModelSession(const QString& threadName, QObject* parent)
    : QObject(parent), m_worker(threadName) {
    connect(&m_worker, &BackgroundWorker::busyChanged, this, &ModelSession::busyChanged);
    qRegisterMetaType<HeadImportancePtr>();
}

void ModelSession::runHeadImportance(std::function<Expected<HeadImportance>(const std::function<bool(int, int)>&)> work) {
    m_importanceRunning = true;
    using Result = Expected<HeadImportancePtr>;
    QPointer<ModelSession> self(this);
    m_worker.post<Result>(
        ImportanceLane,
        [work = std::move(work), self](const CancelToken& token) -> Result {
            auto importance = work([&](int done, int total) {
                if (token.isCancelled()) return false;
                // Queued to the thread the session lives on; dropped once it is gone.
                if (QObject* target = self.data())
                    QMetaObject::invokeMethod(target, [self, done, total] {
                        if (self) emit self->headImportanceProgress(done, total);
                    }, Qt::QueuedConnection);
                return true;
            });
            if (!importance) return importance.errorValue();
            return std::make_shared<const HeadImportance>(std::move(*importance));
        },
        [this](Result r) {
            m_importanceRunning = false;
            if (r) emit headImportanceReady(*r);
            else if (r.errorKind() == ErrorKind::Cancelled) emit headImportanceCancelled();
            else emit headImportanceFailed(QString::fromStdString(r.error()));
        });
}

void ModelSession::cancelHeadImportance() {
    m_worker.cancel(ImportanceLane);
    if (!m_importanceRunning) return;
    m_importanceRunning = false;
    emit headImportanceCancelled();
}

}  // namespace ascope::ui
