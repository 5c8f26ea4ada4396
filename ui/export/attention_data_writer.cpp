#include "export/attention_data_writer.h"

#include <QFileInfo>
#include <QObject>

#include "export/attention_exporter.h"

namespace ascope::ui {

QString writeAttentionFile(const QString& path, const AttentionStack& attention, const std::vector<std::string>& labels) {
    ExportFormat format = ExportFormat::Npy;
    if (!parseExportFormat(QFileInfo(path).suffix().toLower().toStdString(), format))
        return QObject::tr("Choose a file ending in .npy, .csv or .json");
    if (auto st = writeAttention(path.toStdString(), attention, labels, {}, format); !st)
        return QString::fromStdString(st.error());
    return {};
}

QString writeWindowedAttentionFile(const QString& path, const WindowedAnalysis& windowed) {
    ExportFormat format = ExportFormat::Npy;
    if (!parseExportFormat(QFileInfo(path).suffix().toLower().toStdString(), format))
        return QObject::tr("Choose a file ending in .npy, .csv or .json");
    std::vector<AttentionWindow> windows;
    for (std::size_t w = 0; w < windowed.windows.size(); ++w) {
        AttentionWindow one{&windowed.windows[w].attention, {}, windowed.firstToken[w]};
        for (const auto& t : windowed.windows[w].tokens) one.labels.push_back(t.text);
        windows.push_back(std::move(one));
    }
    auto bytes = exportWindowedAttention(windows, windowed.window, windowed.stride, {}, format);
    if (!bytes) return QString::fromStdString(bytes.error());
    if (auto st = writeBytes(path.toStdString(), *bytes); !st) return QString::fromStdString(st.error());
    return {};
}

}  // namespace ascope::ui
