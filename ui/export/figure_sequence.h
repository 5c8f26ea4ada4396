#pragma once
// Figures in sequence, for slides: the current text view (heatmap, head view, one head step by
// step) rendered for every layer, or for every head of the current layer, written as numbered
// PNG or SVG files, one labelled contact sheet, or an animated PNG. The selection is restored
// afterwards.
#include <QImage>
#include <QString>
#include <QStringList>
#include <vector>

namespace ascope::ui {

class TextModePanel;

enum class SequenceAxis { Layers, HeadsOfLayer };
enum class SequenceOutput { NumberedPng, NumberedSvg, ContactSheet, AnimatedPng };

struct SequenceRequest {
    SequenceAxis axis = SequenceAxis::Layers;
    SequenceOutput output = SequenceOutput::NumberedPng;
    QString folder;
    int delayMs = 800;  // per frame of the animation
    double scale = 1.0;
};

// Whether the current view changes with the layer and head (the model view and positional encodings do not).
bool viewHasSequence(const TextModePanel& text);
// Writes the sequence; returns an error message ("" on success) and the files written.
QString exportSequence(TextModePanel& text, const SequenceRequest& request, QStringList* written = nullptr);
// Frames in a grid of `columns`, each with its label underneath, on white.
QImage contactSheet(const std::vector<QImage>& frames, const QStringList& labels, int columns);

}  // namespace ascope::ui
