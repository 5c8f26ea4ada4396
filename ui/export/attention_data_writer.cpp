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

}  // namespace ascope::ui
