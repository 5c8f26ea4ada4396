#include <QImage>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTest>
#include <catch2/catch.hpp>
#include <set>

#include "analysis/patch_attention.h"
#include "export/figure_exporter.h"
#include "inference/image_model.h"
#include "io/image_file_reader.h"
#include "panels/heads_panel.h"
#include "panels/image_mode_panel.h"
#include "widgets/heatmap_plot_widget.h"
#include "temp_dir.h"
#include "tiny_bert_fixture.h"
#include "tiny_vit_fixture.h"
#include "widgets/image_overlay_widget.h"
#include "widgets/prediction_chart_widget.h"
#include "widgets/small_multiples_widget.h"
#include "window/main_window.h"

using namespace ascope;
using namespace ascope::test;
using ascope::ui::ImageModePanel;
using ascope::ui::MainWindow;

namespace {
QString writePng(const TempDir& dir, const std::string& name) {
    QImage img(48, 40, QImage::Format_RGB888);
    for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x) img.setPixelColor(x, y, QColor((x * 5) % 256, (y * 7) % 256, (x * y) % 256));
    const QString path = QString::fromStdString(dir.file(name));
    REQUIRE(img.save(path));
    return path;
}

void loadModelAndImage(MainWindow& w, const TempDir& dir, const QString& image) {
    QSignalSpy loaded(&w.imagePanel()->session(), &ui::ImageSession::modelLoaded);
    w.openModel(QString::fromStdString(dir.file("v")));  // routed to image mode by config.json
    REQUIRE((loaded.count() > 0 || loaded.wait(20000)));
    CHECK(w.currentMode() == MainWindow::Mode::Image);
    QSignalSpy shown(w.imagePanel(), &ImageModePanel::analysisShown);
    w.openImage(image);
    REQUIRE((shown.count() > 0 || shown.wait(20000)));
}

// A shown window with the tiny ViT open and a picture analysed.
struct TinyVitWindow {
    TempDir dir;
    QString png;
    MainWindow w;
    TinyVitWindow() {
        writeTinyVit(dir.file("v"));
        png = writePng(dir, "pic.png");
        w.show();
        loadModelAndImage(w, dir, png);
    }
};
}  // namespace

TEST_CASE("Opening an image classifies it and overlays the core's [CLS] attention", "[ui][image]") {
    TinyVitWindow f;
    auto& w = f.w;
    const auto& dir = f.dir;
    const QString& png = f.png;
    auto* panel = w.imagePanel();
    REQUIRE(panel->analysis());
    CHECK(panel->classes()->chartCount() == 1);

    auto model = ImageModel::load(dir.file("v"));
    REQUIRE(model.hasValue());
    auto image = ui::readImageFile(png);
    REQUIRE(image.hasValue());
    auto expected = (*model)->analyse(*image);
    REQUIRE(expected.hasValue());
    CHECK(panel->analysis()->top[0].id == expected->top[0].id);
    const auto heat = patchHeat(*panel->analysis(), panel->heatRequest());
    const auto want = patchHeat(*expected, panel->heatRequest());
    REQUIRE(heat.size() == 16);
    for (std::size_t i = 0; i < heat.size(); ++i) CHECK(heat[i] == Approx(want[i]).margin(1e-5));

    // Clicking a patch switches to query mode for that patch.
    auto* overlay = panel->overlay();
    overlay->resize(400, 400);
    QTest::mouseClick(overlay, Qt::LeftButton, {}, QPoint(overlay->width() / 2 + 5, overlay->height() / 2 + 5));
    CHECK(overlay->selectedPatch() == panel->heatRequest().queryPatch);
    CHECK(panel->heatRequest().queryPatch >= 0);
    QTest::mouseClick(overlay, Qt::RightButton, {}, QPoint(10, 10));
    CHECK(panel->heatRequest().queryPatch == -1);
}

TEST_CASE("Image-mode figures export as PNG, SVG and PDF", "[ui][image][export]") {
    TempDir dir;
    writeTinyVit(dir.file("v"));
    MainWindow w;
    w.resize(1100, 800);
    w.show();
    loadModelAndImage(w, dir, writePng(dir, "pic.png"));
    for (auto* view : std::vector<ui::ExportableView*>{w.imagePanel()->overlay(), w.imagePanel()->headGrid(),
                                                       w.imagePanel()->positionGrid()}) {
        const QString base = QString::fromStdString(dir.file("fig"));
        REQUIRE(ui::saveFigure(*view, base + ".png", QSize(400, 400), 1).isEmpty());
        QImage png(base + ".png");
        REQUIRE_FALSE(png.isNull());
        std::set<QRgb> colours;
        for (int y = 0; y < png.height(); y += 8)
            for (int x = 0; x < png.width(); x += 8) colours.insert(png.pixel(x, y));
        CHECK(colours.size() > 4);
        REQUIRE(ui::saveFigure(*view, base + ".svg", QSize(400, 400), 1).isEmpty());
        CHECK_THAT(readText((base + ".svg").toStdString()), Catch::Contains("</svg>"));
        REQUIRE(ui::saveFigure(*view, base + ".pdf", QSize(400, 400), 1).isEmpty());
        CHECK_THAT(readText((base + ".pdf").toStdString()), Catch::StartsWith("%PDF-"));
    }
    CHECK(w.imagePanel()->overlay()->exportBaseName().startsWith("image_attention_L1_mean_cls_pic"));
}

TEST_CASE("A corrupt image or a text model in image mode gives a message, nothing crashes", "[ui][image]") {
    TempDir dir;
    writeTinyVit(dir.file("v"));
    writeTinyBert(dir.file("m"));
    MainWindow w;
    loadModelAndImage(w, dir, writePng(dir, "pic.png"));
    writeText(dir.file("broken.jpg"), "\xff\xd8\xff\xe0 not a jpeg at all");
    w.openImage(QString::fromStdString(dir.file("broken.jpg")));
    CHECK(w.imagePanel()->message().contains("cannot read image"));
    REQUIRE(w.imagePanel()->analysis());  // the previous result stays

    QSignalSpy failed(&w.imagePanel()->session(), &ui::ImageSession::modelFailed);
    w.openImageModel(QString::fromStdString(dir.file("m")));
    REQUIRE((failed.count() > 0 || failed.wait(20000)));
    CHECK(w.imagePanel()->message().contains("not an image model"));
    CHECK(w.imagePanel()->session().model());
}

TEST_CASE("Image mode: clicking patches blocks them, right-clicking a head switches it off, head importance for the class",
          "[ui][image][mask][importance]") {
    TinyVitWindow f;
    auto& w = f.w;
    auto* panel = w.imagePanel();
    auto run = [&](auto action) {
        QSignalSpy shown(panel, &ImageModePanel::analysisShown);
        action();
        REQUIRE((shown.count() > 0 || shown.wait(20000)));
    };
    const float before = panel->analysis()->top.at(0).probability;
    // A click shows the patch's attention until the mask box says "block".
    emit panel->overlay()->patchClicked(5);
    CHECK(panel->overlay()->selectedPatch() == 5);
    panel->setMaskChoice(ImageModePanel::MaskChoice::BlockPatches);
    run([&] { emit panel->overlay()->patchClicked(6); });
    REQUIRE(panel->overlay()->blockedPatches() == std::vector<int>{6});
    const auto blocked = panel->analysis();  // kept alive: the next runs replace the panel's
    const auto& att = blocked->attention;
    for (int l = 0; l < att.layers; ++l)
        for (int h = 0; h < att.heads; ++h)
            for (int q = 0; q < att.queries; ++q) REQUIRE(att.at(l, h, q, 1 + 6) == 0.f);  // [CLS] first, then patches
    CHECK(panel->analysis()->top.at(0).probability != Approx(before).margin(1e-7));
    run([&] { emit panel->overlay()->patchClicked(6); });  // unblocked again
    CHECK(panel->overlay()->blockedPatches().empty());

    panel->showView(ImageModePanel::View::AllHeads);
    QApplication::processEvents();
    run([&] { emit panel->headGrid()->cellRightClicked(1, 2); });
    CHECK(panel->analysis()->controls.isAblated(1, 2));
    const auto ablated = panel->analysis();
    for (int q = 0; q < ablated->attention.queries; ++q) CHECK(ablated->attention.at(1, 2, q, 0) == 0.f);

    panel->showView(ImageModePanel::View::Importance);
    auto* heads = panel->importancePanel();
    QSignalSpy ready(&panel->session(), &ui::ImageSession::headImportanceReady);
    QTest::mouseClick(heads->importanceButton(), Qt::LeftButton);
    REQUIRE((ready.count() > 0 || ready.wait(20000)));
    const auto importance = ready.at(0).at(0).value<ui::HeadImportancePtr>();
    REQUIRE(importance->masks.size() == 1);
    CHECK(importance->masks[0].answer.id == panel->analysis()->top.at(0).id);
    CHECK(importance->alreadyOff[1 * 3 + 2] == 1);
    CHECK(heads->valueOf(1, 2) == 0.0);
    CHECK(heads->valueOf(0, 0) == Approx(importance->masks[0].drop(0, 0, 3)));
    emit heads->grid()->cellClicked(0, 1);
    CHECK(panel->currentView() == ImageModePanel::View::Overlay);
    CHECK(panel->heatRequest().source == PatchHeatSource::Head);
    CHECK(panel->heatRequest().head == 1);
}

TEST_CASE("Image mode's model loads when its tab is first shown, not at start-up", "[ui][image][startup]") {
    TempDir dir;
    writeTinyVit(dir.file("v"));
    MainWindow w;
    w.show();
    auto* panel = w.imagePanel();
    QSignalSpy loaded(&panel->session(), &ui::ImageSession::modelLoaded);
    panel->openModelWhenNeeded(QString::fromStdString(dir.file("v")));
    panel->setImage(QImage(32, 32, QImage::Format_RGB888), QStringLiteral("example"));  // the start-up example
    QApplication::processEvents();
    CHECK_FALSE(panel->session().isBusy());
    CHECK(loaded.count() == 0);
    CHECK_FALSE(panel->session().model());
    QSignalSpy shown(panel, &ImageModePanel::analysisShown);
    QSignalSpy failed(&panel->session(), &ui::ImageSession::modelFailed);
    w.showMode(MainWindow::Mode::Image);
    REQUIRE((loaded.count() > 0 || loaded.wait(20000)));
    CHECK(failed.count() == 0);
    REQUIRE((shown.count() > 0 || shown.wait(20000)));  // and the waiting example is analysed
}
