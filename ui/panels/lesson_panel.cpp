#include "panels/lesson_panel.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "window/session_controller.h"

namespace ascope::ui {

namespace {
bool askWithDialog(QWidget* parent, QString& title, QString& notes, QString& tryThis) {
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Lesson step"));
    auto* titleEdit = new QLineEdit(title, &dialog);
    auto* notesEdit = new QPlainTextEdit(notes, &dialog);
    notesEdit->setPlaceholderText(QObject::tr("One to three sentences on what this view shows."));
    auto* promptEdit = new QLineEdit(tryThis, &dialog);
    promptEdit->setPlaceholderText(QObject::tr("Optional: something for the student to try."));
    auto* form = new QFormLayout(&dialog);
    form->addRow(QObject::tr("&Title"), titleEdit);
    form->addRow(QObject::tr("&Explanation"), notesEdit);
    form->addRow(QObject::tr("T&ry this"), promptEdit);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    dialog.resize(520, 320);
    if (dialog.exec() != QDialog::Accepted) return false;
    title = titleEdit->text();
    notes = notesEdit->toPlainText();
    tryThis = promptEdit->text();
    return true;
}

QLabel* wrapping(QWidget* parent) {
    auto* label = new QLabel(parent);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    return label;
}
}  // namespace

LessonPanel::LessonPanel(SessionController& sessions, QWidget* parent) : QWidget(parent), m_sessions(sessions) {
    askForText = [this](QString& title, QString& notes, QString& tryThis) { return askWithDialog(this, title, notes, tryThis); };
    m_position = new QLabel(this);
    m_title = wrapping(this);
    QFont big = m_title->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.25);
    m_title->setFont(big);
    m_notes = wrapping(this);
    m_prompt = wrapping(this);
    m_prompt->setStyleSheet(QStringLiteral("QLabel { background: palette(alternate-base); padding: 6px; }"));
    m_previous = new QPushButton(tr("◀ &Previous"), this);
    m_next = new QPushButton(tr("&Next ▶"), this);
    m_previous->setToolTip(tr("Previous step (Alt+Left; Left arrow in presentation mode)"));
    m_next->setToolTip(tr("Next step (Alt+Right; Right arrow in presentation mode)"));
    m_list = new QListWidget(this);
    m_list->setDragDropMode(QAbstractItemView::InternalMove);
    m_list->setTextElideMode(Qt::ElideRight);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setToolTip(tr("The lesson's steps: click one to show it, drag to reorder"));
    auto* add = new QPushButton(tr("&Add Step…"), this);
    add->setObjectName(QStringLiteral("addStep"));
    add->setToolTip(tr("A new step after this one, holding what the window shows now"));
    auto* update = new QPushButton(tr("&Update"), this);
    update->setToolTip(tr("This step takes what the window shows now (its text stays)"));
    auto* edit = new QPushButton(tr("&Edit…"), this);
    auto* remove = new QPushButton(tr("&Delete"), this);

    auto* steps = new QHBoxLayout;
    steps->addWidget(m_previous);
    steps->addWidget(m_position, 1, Qt::AlignCenter);
    steps->addWidget(m_next);
    auto* editing = new QHBoxLayout;
    for (auto* b : {add, update, edit, remove}) editing->addWidget(b);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(steps);
    layout->addWidget(m_title);
    layout->addWidget(m_notes);
    layout->addWidget(m_prompt);
    layout->addWidget(m_list, 1);
    layout->addLayout(editing);

    connect(m_previous, &QPushButton::clicked, this, &LessonPanel::previous);
    connect(m_next, &QPushButton::clicked, this, &LessonPanel::next);
    connect(add, &QPushButton::clicked, this, &LessonPanel::addStep);
    connect(update, &QPushButton::clicked, this, [this] { m_sessions.updateCurrentStep(); });
    connect(edit, &QPushButton::clicked, this, &LessonPanel::editStep);
    connect(remove, &QPushButton::clicked, this, &LessonPanel::deleteStep);
    connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
        if (!m_refreshing && row >= 0) m_sessions.goToStep(row);
    });
    connect(m_list->model(), &QAbstractItemModel::rowsMoved, this,
            [this](const QModelIndex&, int from, int, const QModelIndex&, int to) {
                if (!m_refreshing) m_sessions.moveStep(from, to > from ? to - 1 : to);
            });
    connect(&m_sessions, &SessionController::stepsChanged, this, &LessonPanel::refreshList);
    connect(&m_sessions, &SessionController::stepChanged, this, &LessonPanel::showStep);
    refreshList();
}

void LessonPanel::refreshList() {
    m_refreshing = true;
    m_list->clear();
    const auto& steps = m_sessions.file().steps;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const QString title = QString::fromStdString(steps[i].title);
        m_list->addItem(QStringLiteral("%1. %2").arg(i + 1).arg(title.isEmpty() ? tr("(untitled)") : title));
    }
    m_refreshing = false;
    showStep(m_sessions.currentStep());
}

void LessonPanel::showStep(int index) {
    const auto& steps = m_sessions.file().steps;
    if (index < 0 || index >= static_cast<int>(steps.size())) return;
    const auto& step = steps[static_cast<std::size_t>(index)];
    m_refreshing = true;
    m_list->setCurrentRow(index);
    m_refreshing = false;
    m_position->setText(tr("Step %1 of %2").arg(index + 1).arg(steps.size()));
    m_title->setText(QString::fromStdString(step.title));
    m_notes->setText(QString::fromStdString(step.notes));
    m_notes->setVisible(!step.notes.empty());
    m_prompt->setText(step.tryThis.empty() ? QString() : tr("Try this: %1").arg(QString::fromStdString(step.tryThis)));
    m_prompt->setVisible(!step.tryThis.empty());
    m_previous->setEnabled(index > 0);
    m_next->setEnabled(index + 1 < static_cast<int>(steps.size()));
    emit stepShown();
}

void LessonPanel::next() { m_sessions.goToStep(m_sessions.currentStep() + 1); }
void LessonPanel::previous() { m_sessions.goToStep(m_sessions.currentStep() - 1); }

QString LessonPanel::stepTitle() const { return m_title->text(); }
QString LessonPanel::stepNotes() const { return m_notes->text(); }
QString LessonPanel::stepPrompt() const { return m_prompt->text(); }

void LessonPanel::addStep() {
    QString title, notes, tryThis;
    if (askForText && !askForText(title, notes, tryThis)) return;
    m_sessions.addStep(title, notes, tryThis);
}

void LessonPanel::editStep() {
    const auto& step = m_sessions.file().steps[static_cast<std::size_t>(m_sessions.currentStep())];
    QString title = QString::fromStdString(step.title), notes = QString::fromStdString(step.notes),
            tryThis = QString::fromStdString(step.tryThis);
    if (askForText && !askForText(title, notes, tryThis)) return;
    m_sessions.editStep(m_sessions.currentStep(), title, notes, tryThis);
}

void LessonPanel::deleteStep() {
    if (m_sessions.stepCount() <= 1) return;
    m_sessions.removeStep(m_sessions.currentStep());
}

}  // namespace ascope::ui
