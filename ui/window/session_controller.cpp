#include "window/session_controller.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QPointer>
#include <QSettings>
#include <map>

#include "panels/attention_panel.h"
#include "panels/image_mode_panel.h"
#include "panels/side_by_side_panel.h"
#include "panels/text_mode_panel.h"
#include "util/resource_paths.h"
#include "widgets/long_text_widget.h"
#include "widgets/mask_controls_widget.h"
#include "window/main_window.h"

namespace ascope::ui {

namespace {

const char* kRecentKey = "recentSessions";

// The names a session file uses, in the enums' order.
const char* const kTextTabs[] = {"attention", "model", "head", "heads", "one-head", "layers", "positional", "side-by-side"};
const char* const kImageTabs[] = {"overlay", "all-heads", "head-importance", "position-similarity"};
const char* const kModes[] = {"text", "image", "train"};
const char* const kMasks[] = {"none", "causal", "block", "custom", "padding"};
const char* const kAggregations[] = {"head", "mean", "max", "rollout"};
const char* const kScalings[] = {"fixed", "auto", "row", "log"};
const char* const kColorMaps[] = {"viridis", "magma", "greys", "coolwarm"};

template <std::size_t N>
int indexOf(const char* const (&names)[N], const std::string& name, int fallback = 0) {
    for (std::size_t i = 0; i < N; ++i)
        if (name == names[i]) return static_cast<int>(i);
    return fallback;
}

QString demoFolder(const char* name) { return QString::fromStdString(builtinModelDir(name)); }

// The built-in models are stored as "" so that a session made on them works on any installation.
std::string storedModel(const QString& dir, const char* builtin) {
    if (dir.isEmpty()) return {};
    const QString demo = demoFolder(builtin);
    if (!demo.isEmpty() && QFileInfo(dir).canonicalFilePath() == QFileInfo(demo).canonicalFilePath()) return {};
    return QFileInfo(dir).absoluteFilePath().toStdString();
}

QString modelOf(const std::string& stored, const char* builtin) {
    return stored.empty() ? demoFolder(builtin) : QString::fromStdString(stored);
}

void applyTextState(TextModePanel& text, const SessionStep& step) {
    auto& longText = *text.longText();
    longText.setMode(step.longText.truncate ? LongTextWidget::Mode::Truncate : LongTextWidget::Mode::Windows);
    if (step.longText.window > 0)
        longText.setWindowAndStride(step.longText.window, step.longText.stride >= 0 ? step.longText.stride : step.longText.window / 2);
    longText.setPendingWindow(step.longText.currentWindow);
    text.setSentencePair(QString::fromStdString(step.textPair));
    text.setSentence(QString::fromStdString(step.sentence));  // tokenises: masks of the old sentence go
    auto& mask = *text.maskControls();
    mask.setPadding(step.padding);
    mask.setCompare(step.compare);
    std::set<int> blocked(step.blockedKeys.begin(), step.blockedKeys.end());
    bool complete = step.paintedCells.empty() || step.paintedTokens == mask.tokens();
    complete = mask.restore(blocked, step.paintedTokens == mask.tokens() ? step.paintedCells
                                                                          : std::vector<AttentionMaskSpec::Cells>{}) && complete;
    mask.setChoice(static_cast<MaskControlsWidget::Choice>(indexOf(kMasks, step.attentionMask)));
    complete = text.setMaskedTokens(std::set<int>(step.maskedTokens.begin(), step.maskedTokens.end())) && complete;
    std::set<std::pair<int, int>> ablated;
    for (const auto& h : step.ablatedHeads) ablated.insert({h.layer, h.head});
    text.setAblatedHeads(ablated);
    auto& attention = *text.attentionPanel();
    attention.setSelection(step.view.layer, step.view.head);  // first: it selects a single head
    attention.setAggregation(static_cast<HeadAggregation>(indexOf(kAggregations, step.view.aggregation)));
    attention.setScaling(static_cast<AttentionPanel::Scaling>(indexOf(kScalings, step.view.scaling)));
    attention.setColorMap(static_cast<ColorMap>(indexOf(kColorMaps, step.view.colorMap)));
    attention.setHideSpecialTokens(step.view.hideSpecialTokens);
    text.sideBySide()->setSentenceB(QString::fromStdString(step.sentenceB));
    if (!step.modelB.empty() || !text.sideBySide()->modelBDirectory().isEmpty())
        text.sideBySide()->openModelB(QString::fromStdString(step.modelB));
    text.showView(static_cast<TextModePanel::View>(indexOf(kTextTabs, step.view.tab)));
    if (!complete)
        text.showError(QObject::tr("Part of the saved masks did not fit this sentence as this model tokenises it and was left out."));
}

}  // namespace

SessionController::SessionController(MainWindow& window) : QObject(&window), m_window(window) {
    m_file.steps.push_back(SessionStep{});
    locateFolder = [this](const QString& missing) {
        QMessageBox box(QMessageBox::Warning, tr("Model folder not found"),
                        tr("The session uses the model folder\n%1\nwhich no longer exists.").arg(missing),
                        QMessageBox::NoButton, &m_window);
        auto* locate = box.addButton(tr("Locate…"), QMessageBox::AcceptRole);
        box.addButton(tr("Skip"), QMessageBox::RejectRole);
        box.exec();
        if (box.clickedButton() != static_cast<QAbstractButton*>(locate)) return QString();
        return QFileDialog::getExistingDirectory(&m_window, tr("Locate %1").arg(QFileInfo(missing).fileName()));
    };
}

QStringList SessionController::recentSessions() const { return QSettings().value(kRecentKey).toStringList(); }

void SessionController::remember(const QString& path) {
    QStringList list = recentSessions();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > 8) list.removeLast();
    QSettings().setValue(kRecentKey, list);
}

void SessionController::locateMissingFolders(SessionFile& file) {
    std::map<std::string, std::string> replaced;
    for (auto& step : file.steps)
        for (std::string* folder : {&step.textModel, &step.imageModel, &step.modelB}) {
            if (folder->empty() || QFileInfo(QString::fromStdString(*folder)).isDir()) continue;
            auto it = replaced.find(*folder);
            if (it == replaced.end()) {
                const QString found = locateFolder ? locateFolder(QString::fromStdString(*folder)) : QString();
                it = replaced.emplace(*folder, found.isEmpty() ? *folder : QFileInfo(found).absoluteFilePath().toStdString()).first;
            }
            *folder = it->second;
        }
}

QString SessionController::open(const QString& path) {
    auto read = readSessionFile(path.toStdString());
    if (!read) return QString::fromStdString(read.error());
    locateMissingFolders(*read);
    m_file = std::move(*read);
    m_path = QFileInfo(path).absoluteFilePath();
    m_modified = false;
    remember(m_path);
    emit sessionChanged(m_path);
    emit stepsChanged();
    apply(m_file.steps[static_cast<std::size_t>(m_file.currentStep)]);
    emit stepChanged(m_file.currentStep);
    return {};
}

QString SessionController::save(const QString& path) {
    SessionFile file = m_file;
    file.steps[static_cast<std::size_t>(file.currentStep)] = capture();
    if (auto st = writeSessionFile(path.toStdString(), file); !st) return QString::fromStdString(st.error());
    m_file = std::move(file);
    m_path = QFileInfo(path).absoluteFilePath();
    m_modified = false;
    remember(m_path);
    emit sessionChanged(m_path);
    return {};
}

void SessionController::addStep(const QString& title, const QString& notes, const QString& tryThis) {
    updateCurrentStep();
    SessionStep step = capture();
    step.unknown = nlohmann::json::object();
    step.title = title.toStdString();
    step.notes = notes.toStdString();
    step.tryThis = tryThis.toStdString();
    const auto at = static_cast<std::size_t>(m_file.currentStep) + 1;
    m_file.steps.insert(m_file.steps.begin() + static_cast<std::ptrdiff_t>(at), std::move(step));
    m_file.currentStep = static_cast<int>(at);
    m_modified = true;
    emit stepsChanged();
    emit stepChanged(m_file.currentStep);
}

void SessionController::editStep(int index, const QString& title, const QString& notes, const QString& tryThis) {
    if (index < 0 || index >= stepCount()) return;
    auto& step = m_file.steps[static_cast<std::size_t>(index)];
    step.title = title.toStdString();
    step.notes = notes.toStdString();
    step.tryThis = tryThis.toStdString();
    m_modified = true;
    emit stepsChanged();
}

void SessionController::updateCurrentStep() {
    m_file.steps[static_cast<std::size_t>(m_file.currentStep)] = capture();
    m_modified = true;
}

void SessionController::removeStep(int index) {
    if (index < 0 || index >= stepCount() || stepCount() == 1) return;  // a session keeps one step
    m_file.steps.erase(m_file.steps.begin() + index);
    if (m_file.currentStep >= stepCount()) m_file.currentStep = stepCount() - 1;
    else if (index < m_file.currentStep) --m_file.currentStep;
    m_modified = true;
    apply(m_file.steps[static_cast<std::size_t>(m_file.currentStep)]);
    emit stepsChanged();
    emit stepChanged(m_file.currentStep);
}

void SessionController::moveStep(int from, int to) {
    if (from < 0 || to < 0 || from >= stepCount() || to >= stepCount() || from == to) return;
    auto step = std::move(m_file.steps[static_cast<std::size_t>(from)]);
    m_file.steps.erase(m_file.steps.begin() + from);
    m_file.steps.insert(m_file.steps.begin() + to, std::move(step));
    const int current = m_file.currentStep;
    if (current == from) m_file.currentStep = to;
    else if (from < current && to >= current) --m_file.currentStep;
    else if (from > current && to <= current) ++m_file.currentStep;
    m_modified = true;
    emit stepsChanged();
    emit stepChanged(m_file.currentStep);
}

void SessionController::goToStep(int index) {
    if (index < 0 || index >= stepCount() || index == m_file.currentStep) return;
    m_file.steps[static_cast<std::size_t>(m_file.currentStep)] = capture();
    m_file.currentStep = index;
    apply(m_file.steps[static_cast<std::size_t>(index)]);
    emit stepChanged(index);
}

SessionStep SessionController::capture() const {
    SessionStep s = m_file.steps[static_cast<std::size_t>(m_file.currentStep)];  // title, notes, unknown fields
    s.mode = kModes[static_cast<int>(m_window.currentMode())];
    const TextModePanel& text = *m_window.textPanel();
    s.textModel = storedModel(text.modelDirectory(), "demo-bert");
    s.sentence = text.sentence().toStdString();
    s.textPair = text.sentencePair().toStdString();
    s.longText = {};
    if (const auto* longText = text.longText(); !longText->isHidden()) {  // a text longer than the model
        s.longText.truncate = longText->mode() == LongTextWidget::Mode::Truncate;
        s.longText.window = longText->window();
        s.longText.stride = longText->stride();
        s.longText.currentWindow = longText->currentWindow();
    }
    s.maskedTokens.assign(text.maskedTokens().begin(), text.maskedTokens().end());
    const auto& mask = *text.maskControls();
    s.attentionMask = kMasks[static_cast<int>(mask.choice())];
    const auto blocked = mask.allBlockedKeys();
    s.blockedKeys.assign(blocked.begin(), blocked.end());
    s.paintedCells = mask.paintedCells();
    s.paintedTokens = s.paintedCells.empty() ? 0 : mask.tokens();
    s.padding = mask.padding();
    s.compare = mask.compare();
    s.ablatedHeads.clear();
    for (const auto& [layer, head] : text.ablatedHeads()) s.ablatedHeads.push_back({layer, head});
    const auto& attention = *text.attentionPanel();
    s.view.layer = attention.layer();
    s.view.head = attention.head();
    s.view.aggregation = kAggregations[static_cast<int>(attention.aggregation())];
    s.view.scaling = kScalings[static_cast<int>(attention.scaling())];
    s.view.colorMap = kColorMaps[static_cast<int>(attention.colorMap())];
    s.view.hideSpecialTokens = attention.hideSpecialTokens();
    const ImageModePanel& image = *m_window.imagePanel();
    s.view.tab = m_window.currentMode() == MainWindow::Mode::Image ? kImageTabs[static_cast<int>(image.currentView())]
                                                                   : kTextTabs[static_cast<int>(text.currentView())];
    s.sentenceB = text.sideBySide()->sentenceB().toStdString();
    const QString modelB = text.sideBySide()->modelBDirectory();
    s.modelB = modelB.isEmpty() ? std::string() : QFileInfo(modelB).absoluteFilePath().toStdString();
    s.imageModel = storedModel(image.modelDirectory(), "demo-vit");
    s.image = image.imagePath().toStdString();
    return s;
}

void SessionController::apply(const SessionStep& step) {
    TextModePanel* text = m_window.textPanel();
    ImageModePanel* image = m_window.imagePanel();
    if (step.mode == "image") {
        m_window.showMode(MainWindow::Mode::Image);
        const QString dir = modelOf(step.imageModel, "demo-vit");
        if (!dir.isEmpty() && QFileInfo(image->modelDirectory()).canonicalFilePath() != QFileInfo(dir).canonicalFilePath())
            image->openModel(dir);
        if (!step.image.empty()) image->openImageFile(QString::fromStdString(step.image));
        image->showView(static_cast<ImageModePanel::View>(indexOf(kImageTabs, step.view.tab)));
        return;
    }
    m_window.showMode(step.mode == "train" ? MainWindow::Mode::Train : MainWindow::Mode::Text);
    const QString dir = modelOf(step.textModel, "demo-bert");
    if (dir.isEmpty() || !QFileInfo(dir).isDir()) {
        text->showError(tr("The session's model folder %1 does not exist; open a model and the step's sentence again.")
                            .arg(dir.isEmpty() ? tr("(the built-in demo model)") : dir));
        return;
    }
    QPointer<TextModePanel> panel(text);
    text->whenModelReady(dir, [panel, step] {
        if (panel) applyTextState(*panel, step);
    });
}

}  // namespace ascope::ui
