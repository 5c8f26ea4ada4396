#pragma once
// UI test support: a shown main window with the tiny BERT open and a sentence analysed.
#include <QSignalSpy>
#include <catch2/catch.hpp>

#include "panels/text_mode_panel.h"
#include "temp_dir.h"
#include "tiny_bert_fixture.h"
#include "window/main_window.h"

namespace ascope::test {

inline bool waitForAnalysis(ui::MainWindow&, QSignalSpy& spy, int timeoutMs = 20000) {
    return spy.count() > 0 || spy.wait(timeoutMs);
}

inline void openTinyModel(ui::MainWindow& w, const std::string& dir) {
    QSignalSpy loaded(&w.textPanel()->session(), &ui::TextSession::modelLoaded);
    w.openModel(QString::fromStdString(dir));
    REQUIRE((loaded.count() > 0 || loaded.wait(20000)));
}

struct TinyBertWindow {
    TempDir dir;
    ui::MainWindow w;
    ui::TextModePanel* text = nullptr;
    TinyBertWindow(const QSize& size, const QString& sentence, const TinyBertSpec& spec = {}) {
        writeTinyBert(dir.file("m"), spec);
        w.resize(size);
        w.show();
        openTinyModel(w, dir.file("m"));
        text = w.textPanel();
        QSignalSpy shown(text, &ui::TextModePanel::analysisShown);
        text->setSentence(sentence);
        REQUIRE(waitForAnalysis(w, shown));
    }
    // Runs `action` and waits for the analysis it causes.
    template <class Action>
    void andWait(Action action) {
        QSignalSpy shown(text, &ui::TextModePanel::analysisShown);
        action();
        REQUIRE(waitForAnalysis(w, shown));
    }
};

}  // namespace ascope::test
