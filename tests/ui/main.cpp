// UI tests run headless (QT_QPA_PLATFORM=offscreen) inside one QApplication.
#define CATCH_CONFIG_RUNNER
#include <QApplication>
#include <QTemporaryDir>
#include <catch2/catch.hpp>

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? QByteArray("offscreen") : qgetenv("QT_QPA_PLATFORM"));
    // Settings (recent files, window state) of this process alone: ctest runs test processes side
    // by side, and one's recent sessions must not show up in another's.
    QTemporaryDir settings;
    if (settings.isValid()) qputenv("XDG_CONFIG_HOME", settings.path().toLocal8Bit());
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("AttentionScopeTests"));
    QApplication::setApplicationName(QStringLiteral("AttentionScopeTests"));
    return Catch::Session().run(argc, argv);
}
