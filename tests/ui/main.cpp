// UI tests run headless (QT_QPA_PLATFORM=offscreen) inside one QApplication.
#define CATCH_CONFIG_RUNNER
#include <QApplication>
#include <catch2/catch.hpp>

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? QByteArray("offscreen") : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("AttentionScopeTests"));
    QApplication::setApplicationName(QStringLiteral("AttentionScopeTests"));
    return Catch::Session().run(argc, argv);
}
