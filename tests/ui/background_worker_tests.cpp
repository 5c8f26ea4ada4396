#include <QCoreApplication>
#include <QSignalSpy>
#include <QTest>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "session/background_worker.h"

using ascope::ui::BackgroundWorker;
using ascope::ui::CancelToken;

namespace {
// Runs until cancelled (or 5 s), counting its polls.
int spinUntilCancelled(const CancelToken& token, std::atomic<bool>& started) {
    started = true;
    int polls = 0;
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!token.isCancelled() && std::chrono::steady_clock::now() < end) {
        ++polls;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return token.isCancelled() ? -1 : polls;
}
}  // namespace

TEST_CASE("A job runs off the GUI thread and delivers its result on it", "[ui][worker]") {
    BackgroundWorker worker(QStringLiteral("test"));
    QSignalSpy busy(&worker, &BackgroundWorker::busyChanged);
    Qt::HANDLE workThread = nullptr;
    int result = 0;
    Qt::HANDLE deliveredOn = nullptr;
    worker.post<int>(0, [&](const CancelToken&) {
        workThread = QThread::currentThreadId();
        return 42;
    }, [&](int r) {
        result = r;
        deliveredOn = QThread::currentThreadId();
    });
    CHECK(worker.isBusy());
    REQUIRE(QTest::qWaitFor([&] { return result == 42; }, 5000));
    CHECK(workThread != QThread::currentThreadId());
    CHECK(deliveredOn == QThread::currentThreadId());
    CHECK_FALSE(worker.isBusy());
    REQUIRE(busy.count() == 2);
    CHECK(busy.at(0).at(0).toBool());
    CHECK_FALSE(busy.at(1).at(0).toBool());
}

TEST_CASE("A new job on a lane supersedes the running one, whose result is dropped", "[ui][worker]") {
    BackgroundWorker worker(QStringLiteral("test"));
    std::atomic<bool> started{false};
    std::vector<int> delivered;
    worker.post<int>(1, [&](const CancelToken& t) { return spinUntilCancelled(t, started); },
                     [&](int r) { delivered.push_back(r); });
    REQUIRE(QTest::qWaitFor([&] { return started.load(); }, 5000));
    worker.post<int>(1, [](const CancelToken&) { return 7; }, [&](int r) { delivered.push_back(r); });
    REQUIRE(QTest::qWaitFor([&] { return !worker.isBusy(); }, 5000));
    REQUIRE(delivered.size() == 1);
    CHECK(delivered[0] == 7);
}

TEST_CASE("Jobs on other lanes are not superseded, and cancelAll drops everything", "[ui][worker]") {
    BackgroundWorker worker(QStringLiteral("test"));
    std::vector<int> delivered;
    worker.post<int>(1, [](const CancelToken&) { return 1; }, [&](int r) { delivered.push_back(r); });
    worker.post<int>(2, [](const CancelToken&) { return 2; }, [&](int r) { delivered.push_back(r); });
    REQUIRE(QTest::qWaitFor([&] { return !worker.isBusy(); }, 5000));
    CHECK(delivered == std::vector<int>{1, 2});

    std::atomic<bool> started{false};
    worker.post<int>(1, [&](const CancelToken& t) { return spinUntilCancelled(t, started); },
                     [&](int r) { delivered.push_back(r); });
    worker.post<int>(2, [](const CancelToken&) { return 3; }, [&](int r) { delivered.push_back(r); });
    REQUIRE(QTest::qWaitFor([&] { return started.load(); }, 5000));
    worker.cancelAll();
    REQUIRE(QTest::qWaitFor([&] { return !worker.isBusy(); }, 5000));
    CHECK(delivered == std::vector<int>{1, 2});
}

TEST_CASE("Destroying the worker cancels the running job and delivers nothing afterwards", "[ui][worker]") {
    std::atomic<bool> started{false};
    std::atomic<int> returned{0};
    bool delivered = false;
    {
        BackgroundWorker worker(QStringLiteral("test"));
        worker.post<int>(0, [&](const CancelToken& t) {
            const int r = spinUntilCancelled(t, started);
            returned = r;
            return r;
        }, [&](int) { delivered = true; });
        REQUIRE(QTest::qWaitFor([&] { return started.load(); }, 5000));
    }  // waits for the job, which sees the cancellation
    CHECK(returned == -1);
    QCoreApplication::processEvents();
    CHECK_FALSE(delivered);
}
