#include "session/background_worker.h"

#include <QMetaObject>

namespace ascope::ui {

BackgroundWorker::BackgroundWorker(const QString& threadName, QObject* parent) : QObject(parent) {
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    m_thread.setObjectName(threadName);
    m_thread.start();
}

BackgroundWorker::~BackgroundWorker() { shutdown(); }

void BackgroundWorker::shutdown() {
    if (m_shutDown) return;
    m_shutDown = true;
    cancelAll();
    m_thread.quit();
    m_thread.wait();
}

void BackgroundWorker::cancel(int lane) {
    auto it = m_lanes.find(lane);
    if (it != m_lanes.end()) it->second.cancel();
}

void BackgroundWorker::cancelAll() {
    for (auto& lane : m_lanes) lane.second.cancel();
}

void BackgroundWorker::setPending(int delta) {
    const bool before = m_pending > 0;
    m_pending += delta;
    if (before != (m_pending > 0)) emit busyChanged(m_pending > 0);
}

void BackgroundWorker::enqueue(int lane, std::function<void(const CancelToken&)> work, std::function<void()> deliver) {
    if (m_shutDown) return;
    cancel(lane);  // supersedes the lane's previous job
    const CancelToken token;
    m_lanes[lane] = token;
    setPending(+1);
    QPointer<BackgroundWorker> self(this);
    QMetaObject::invokeMethod(m_context, [self, lane, token, work = std::move(work), deliver = std::move(deliver), this] {
        if (!token.isCancelled()) {
            ++m_running;
            work(token);
            --m_running;
        }
        // Back on the owner's thread; dropped if the BackgroundWorker is gone.
        QMetaObject::invokeMethod(self.data(), [self, lane, token, deliver] {
            if (self) self->finished(lane, token, deliver);
        }, Qt::QueuedConnection);
    }, Qt::QueuedConnection);
}

void BackgroundWorker::finished(int, const CancelToken& token, const std::function<void()>& deliver) {
    setPending(-1);
    if (!token.isCancelled()) deliver();
}

}  // namespace ascope::ui
