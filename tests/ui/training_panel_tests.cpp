#include <QApplication>
#include <QSignalSpy>
#include <QTabWidget>
#include <catch2/catch.hpp>
#include <filesystem>

#include "inference/image_model.h"
#include "inference/text_model.h"
#include "panels/text_mode_panel.h"
#include "panels/training_panel.h"
#include "temp_dir.h"
#include "tiny_bert_fixture.h"
#include "window/main_window.h"

using namespace ascope;
using namespace ascope::test;
using ascope::ui::TrainingPanel;
using ascope::ui::TrainingWorker;

namespace {
std::string tinyCorpus(const TempDir& dir) {
    std::string text;
    for (int i = 0; i < 300; ++i) text += std::string(i % 2 ? "the cat sat on the mat .\n" : "a dog ran in the park .\n");
    writeText(dir.file("corpus.txt"), text);
    return dir.file("corpus.txt");
}
}  // namespace

TEST_CASE("The Train view trains a masked LM live, keeps snapshots, and the result opens", "[ui][training]") {
    TempDir dir;
    ui::MainWindow w;
    auto* panel = w.trainingPanel();
    panel->setTask(ui::TrainingPanel::Task::MaskedLanguageModel);
    panel->setPreset(ui::TrainingPanel::Preset::Tiny);
    panel->setCorpusPath(QString::fromStdString(tinyCorpus(dir)));
    panel->setOutputDir(QString::fromStdString(dir.file("out")));
    panel->setSteps(20);
    QSignalSpy finished(&panel->worker(), &TrainingWorker::finished);
    panel->start();
    REQUIRE(finished.wait(120000));
    CHECK(finished.first().at(2).toString().isEmpty());
    CHECK(finished.first().at(1).toInt() == 20);
    QApplication::processEvents();
    CHECK(panel->plottedPoints() == 20);
    CHECK(panel->snapshotCount() >= 10);  // a checkpoint (and probe run) every step / 20
    CHECK(panel->statusText().contains("Finished"));
    REQUIRE(TextModel::load(dir.file("out")).hasValue());

    QSignalSpy loaded(&w.textPanel()->session(), &ui::TextSession::modelLoaded);
    emit panel->openResult(QString::fromStdString(dir.file("out")));
    REQUIRE((loaded.count() > 0 || loaded.wait(20000)));
    CHECK(w.textPanel()->session().model()->directory() == dir.file("out"));
}

TEST_CASE("Stopping training ends it cleanly with a usable checkpoint", "[ui][training]") {
    TempDir dir;
    TrainingPanel panel;
    panel.setTask(ui::TrainingPanel::Task::MaskedLanguageModel);
    panel.setCorpusPath(QString::fromStdString(tinyCorpus(dir)));
    panel.setOutputDir(QString::fromStdString(dir.file("out")));
    panel.setSteps(5000);
    QSignalSpy progress(&panel.worker(), &TrainingWorker::progress);
    QSignalSpy finished(&panel.worker(), &TrainingWorker::finished);
    panel.start();
    REQUIRE(progress.wait(60000));
    panel.worker().setPaused(true);
    panel.worker().stop();  // stop also releases a pause
    REQUIRE((finished.count() > 0 || finished.wait(60000)));
    CHECK(finished.first().at(1).toInt() < 5000);
    CHECK(std::filesystem::exists(dir.file("out/model.safetensors")));
    CHECK(TextModel::load(dir.file("out")).hasValue());
}

TEST_CASE("The Train view trains the shapes ViT and shows its probe image", "[ui][training]") {
    TempDir dir;
    TrainingPanel panel;
    panel.setTask(ui::TrainingPanel::Task::ShapesClassifier);
    panel.setPreset(ui::TrainingPanel::Preset::Tiny);
    panel.setOutputDir(QString::fromStdString(dir.file("vit")));
    panel.setSteps(4);
    QSignalSpy finished(&panel.worker(), &TrainingWorker::finished);
    panel.start();
    REQUIRE(finished.wait(120000));
    CHECK(finished.first().at(2).toString().isEmpty());
    QApplication::processEvents();
    CHECK(panel.snapshotCount() == 4);
    auto model = ImageModel::load(dir.file("vit"));
    REQUIRE(model.hasValue());
    CHECK((*model)->config().id2label.size() == 6);
}

TEST_CASE("The Train view fine-tunes a BERT for sentence labels, plots validation, reports per label, and the result opens",
          "[ui][training][finetune]") {
    TempDir dir;
    writeTinyBert(dir.file("base"));
    std::string data = "text\tlabel\n";
    for (int i = 0; i < 80; ++i) data += i % 2 ? "the big cat sat on the mat .\tfeline\n" : "a small dog ran in the sun .\tcanine\n";
    writeText(dir.file("d.tsv"), data);
    ui::MainWindow w;
    auto* panel = w.trainingPanel();
    panel->setTask(ui::TrainingPanel::Task::SentenceLabels);
    panel->setBaseModel(QString::fromStdString(dir.file("base")));
    panel->setCorpusPath(QString::fromStdString(dir.file("d.tsv")));
    panel->setOutputDir(QString::fromStdString(dir.file("out")));
    panel->setEpochs(3);
    QSignalSpy finished(&panel->worker(), &TrainingWorker::finished);
    panel->start();
    REQUIRE(finished.wait(120000));
    CHECK(finished.first().at(2).toString().isEmpty());
    QApplication::processEvents();
    const auto& report = panel->worker().lastReport();
    CHECK(report.heldOutExamples == 8);
    CHECK(report.steps == 3 * 5);
    CHECK(panel->plottedPoints() == 15);
    CHECK(panel->validationPoints() >= 1);  // after epochs 1 and 2 (the last one is the report)
    CHECK(panel->snapshotCount() == 3);     // a checkpoint, and a probe, per epoch
    CHECK(panel->statusText().contains("Held-out accuracy"));
    CHECK(panel->statusText().contains("canine"));
    CHECK(panel->statusText().contains("precision"));

    QSignalSpy loaded(&w.textPanel()->session(), &ui::TextSession::modelLoaded);
    emit panel->openResult(QString::fromStdString(dir.file("out")));
    REQUIRE((loaded.count() > 0 || loaded.wait(20000)));
    CHECK(w.textPanel()->session().model()->task() == TextTask::SentenceLabels);

    SECTION("a data file that is not there is refused before anything starts, the last run's curves kept") {
        panel->setCorpusPath(QString::fromStdString(dir.file("missing.tsv")));
        panel->start();
        CHECK_FALSE(panel->isTraining());
        CHECK(panel->statusText().contains("does not exist"));
        CHECK(panel->plottedPoints() == 15);
        CHECK(panel->snapshotCount() == 3);
    }
    SECTION("settings the fine-tuner refuses leave the last run's curves too") {
        panel->setBaseModel(QString());
        panel->start();
        CHECK_FALSE(panel->isTraining());
        CHECK(panel->statusText().contains("model to fine-tune is missing"));
        CHECK(panel->plottedPoints() == 15);
    }
}

TEST_CASE("The Train view fine-tunes an XLM-R for token labels, and the tagger it saves opens in the explorer",
          "[ui][training][finetune][families]") {
    TempDir dir;
    TinyBertSpec spec;
    spec.family = "xlm-roberta";  // SentencePiece Unigram, <mask>, RoBERTa's layout
    writeTinyBert(dir.file("base"), spec);
    std::string data;
    for (int i = 0; i < 40; ++i) data += std::string(i % 2 ? "the\tO\ncat\tB-ANIMAL\n" : "a\tO\ndog\tB-ANIMAL\n") + "sat\tO\non\tO\nthe\tO\nmat\tB-PLACE\n\n";
    writeText(dir.file("d.conll"), data);
    ui::MainWindow w;
    auto* panel = w.trainingPanel();
    panel->setTask(ui::TrainingPanel::Task::TokenLabels);
    panel->setBaseModel(QString::fromStdString(dir.file("base")));
    panel->setCorpusPath(QString::fromStdString(dir.file("d.conll")));
    panel->setOutputDir(QString::fromStdString(dir.file("out")));
    panel->setEpochs(2);
    QSignalSpy finished(&panel->worker(), &TrainingWorker::finished);
    panel->start();
    REQUIRE(finished.wait(120000));
    CHECK(finished.first().at(2).toString().isEmpty());
    QApplication::processEvents();
    CHECK(panel->statusText().contains("Held-out token accuracy"));
    QSignalSpy loaded(&w.textPanel()->session(), &ui::TextSession::modelLoaded);
    emit panel->openResult(QString::fromStdString(dir.file("out")));
    REQUIRE((loaded.count() > 0 || loaded.wait(20000)));
    const auto model = w.textPanel()->session().model();
    CHECK(model->task() == TextTask::TokenLabels);
    CHECK(model->config().hasArchitecture("XLMRobertaForTokenClassification"));
    CHECK(model->tokenizer().kind() == "Unigram");
}
