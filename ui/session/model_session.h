#pragma once
// What the text and image sessions share: a model loaded and analyses run on a BackgroundWorker
// (one thread per session), a new analysis superseding the previous one (cancelled between
// layers), a failed load keeping the previous model, and errors reported by kind: a cancelled
// run is never shown as a failure.
#include <QObject>
#include <QString>
#include <functional>
#include <memory>

#include "inference/head_importance.h"
#include "session/background_worker.h"
#include "util/expected.h"

namespace ascope::ui {

using HeadImportancePtr = std::shared_ptr<const HeadImportance>;

class ModelSession : public QObject {
    Q_OBJECT
public:
    bool isBusy() const { return m_worker.isBusy(); }
    // Cancels a running head-importance job (headImportanceCancelled is emitted if one ran).
    void cancelHeadImportance();

signals:
    void modelLoading(const QString& dir);
    void modelLoaded(const QString& dir);
    void modelFailed(const QString& message);
    void analysisFailed(const QString& message);
    void busyChanged(bool busy);
    void headImportanceProgress(int done, int total);
    void headImportanceReady(ascope::ui::HeadImportancePtr importance);
    void headImportanceFailed(const QString& message);
    void headImportanceCancelled();

protected:
    ModelSession(const QString& threadName, QObject* parent);
    enum Lane { LoadLane, AnalysisLane, ImportanceLane };

    // Loads with Model::load(dir) on the worker; `adopt` receives the model on the GUI thread
    // before modelLoaded is emitted. On failure the previous model stays and modelFailed says why.
    template <typename Model, typename Adopt>
    void loadModel(const QString& dir, Adopt adopt) {
        using Loaded = Expected<std::shared_ptr<const Model>>;
        emit modelLoading(dir);
        m_worker.post<Loaded>(
            LoadLane,
            [path = dir.toStdString()](const CancelToken&) -> Loaded {
                auto model = Model::load(path);
                if (!model) return model.errorValue();
                return std::shared_ptr<const Model>(std::move(*model));
            },
            [this, dir, adopt](Loaded loaded) {
                if (!loaded) {
                    if (loaded.errorKind() != ErrorKind::Cancelled) emit modelFailed(QString::fromStdString(loaded.error()));
                    return;
                }
                adopt(*loaded);
                emit modelLoaded(dir);
            });
    }

    // Runs `run(onLayer)` on the worker; `show` receives the analysis on the GUI thread unless a
    // newer request superseded it. onLayer returns false once the run is superseded.
    template <typename Analysis, typename Run, typename Show>
    void runAnalysis(Run run, Show show) {
        using Result = Expected<std::shared_ptr<const Analysis>>;
        m_worker.post<Result>(
            AnalysisLane,
            [run](const CancelToken& token) -> Result {
                auto r = run([token](int, int) { return !token.isCancelled(); });
                if (!r) return r.errorValue();
                return std::make_shared<const Analysis>(std::move(*r));
            },
            [this, show](Result r) {
                if (r) show(*r);
                else if (r.errorKind() != ErrorKind::Cancelled) emit analysisFailed(QString::fromStdString(r.error()));
            });
    }

    // Runs `work(onProgress)` (a model's headImportance) on its own lane: an analysis does not
    // cancel it. Progress is queued to this thread; the result arrives as headImportanceReady.
    void runHeadImportance(std::function<Expected<HeadImportance>(const std::function<bool(int, int)>&)> work);

    BackgroundWorker m_worker;
    bool m_importanceRunning = false;
};

}  // namespace ascope::ui

Q_DECLARE_METATYPE(ascope::ui::HeadImportancePtr)
