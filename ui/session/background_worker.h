#pragma once
// The one way long work leaves the GUI thread: a worker QObject on its own QThread runs jobs one
// after another, in the order they were posted. Every job belongs to a lane (say "load" and
// "analyse"); posting a job supersedes the lane's earlier job, queued or running. A superseded
// job sees it through its CancelToken (checked between layers or training steps) and its result
// is dropped. Results are delivered on the thread that owns the BackgroundWorker (the GUI
// thread), never after the BackgroundWorker is gone.
#include <QObject>
#include <QPointer>
#include <QThread>
#include <atomic>
#include <functional>
#include <map>
#include <memory>

namespace ascope::ui {

class CancelToken {
public:
    CancelToken() : m_flag(std::make_shared<std::atomic<bool>>(false)) {}
    bool isCancelled() const { return m_flag->load(std::memory_order_relaxed); }
    void cancel() const { m_flag->store(true, std::memory_order_relaxed); }

private:
    std::shared_ptr<std::atomic<bool>> m_flag;
};

class BackgroundWorker : public QObject {
    Q_OBJECT
public:
    explicit BackgroundWorker(const QString& threadName, QObject* parent = nullptr);
    // Cancels every job and waits for the running one to return.
    ~BackgroundWorker() override;

    // Runs work(token) on the worker thread, then done(result) on this object's thread, unless
    // the job was superseded or cancelled by then (a cancelled job's result is never delivered).
    template <typename Result>
    void post(int lane, std::function<Result(const CancelToken&)> work, std::function<void(Result)> done) {
        auto result = std::make_shared<std::unique_ptr<Result>>();
        enqueue(lane, [work = std::move(work), result](const CancelToken& token) {
            *result = std::make_unique<Result>(work(token));
        }, [done = std::move(done), result] { done(std::move(**result)); });
    }
    // Cancels the lane's job (queued or running); its result is dropped.
    void cancel(int lane);
    void cancelAll();
    // Cancels everything and waits for the running job: nothing runs or is delivered afterwards.
    void shutdown();
    bool isBusy() const { return m_pending > 0; }
    bool isRunning() const { return m_running.load() > 0; }

signals:
    void busyChanged(bool busy);

private:
    void enqueue(int lane, std::function<void(const CancelToken&)> work, std::function<void()> deliver);
    void finished(int lane, const CancelToken& token, const std::function<void()>& deliver);
    void setPending(int delta);

    QThread m_thread;
    QObject* m_context = nullptr;  // lives on m_thread; jobs are invoked on it
    std::map<int, CancelToken> m_lanes;
    int m_pending = 0;
    std::atomic<int> m_running{0};
    bool m_shutDown = false;
};

}  // namespace ascope::ui
