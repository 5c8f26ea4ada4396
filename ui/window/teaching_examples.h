#pragma once
// Example sentences for the Examples menu (teaching presets).
#include <QStringList>

namespace ascope::ui {

inline QStringList teachingExamples() {
    return {
        QStringLiteral("The [MASK] is shining brightly in the sky."),
        QStringLiteral("The [MASK] jumped over the lazy dog."),
        QStringLiteral("The weather today is [MASK]."),
        QStringLiteral("I love to [MASK] in the park."),
        QStringLiteral("The capital of France is [MASK]."),
        QStringLiteral("The doctor works at the [MASK]."),
        QStringLiteral("The opposite of hot is [MASK]."),
        QStringLiteral("The dog [MASK] at night."),
        QStringLiteral("She went to the store to buy some [MASK]."),
        QStringLiteral("There are seven days in a [MASK]."),
        QStringLiteral("The cat sat on the mat because it was tired."),
    };
}

}  // namespace ascope::ui
