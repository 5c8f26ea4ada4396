#pragma once
// Writes frames as an animated PNG (APNG: PNG with acTL/fcTL/fdAT chunks), which every current
// browser and most slide tools play and every PNG reader shows as its first frame. Qt ships no
// animation writer (its GIF plugin only reads), so this one is built in: zlib through qCompress,
// the chunk CRC computed here. Frames are converted to RGBA; all take the first frame's size.
#include <QImage>
#include <QString>
#include <vector>

namespace ascope::ui {

// Returns an error message, or "" on success. delayMs: how long each frame shows; loops forever.
QString writeAnimatedPng(const QString& path, const std::vector<QImage>& frames, int delayMs);

}  // namespace ascope::ui
