#include "labelled_data_fixture.h"

namespace ascope::test {

std::string writeAnimalSentences(const TempDir& dir, const std::string& name) {
    const char* things[] = {"house", "tree", "sun", "sky", "mat"};
    const char* colors[] = {"big", "small", "red", "blue"};
    std::string text = "text\tlabel\n";
    for (int i = 0; i < 160; ++i) {
        const bool cat = (i * 7) % 3 != 0;
        text += std::string("the ") + colors[i % 4] + " " + (cat ? "cat" : "dog") + " sat on the " + things[(i / 4) % 5] +
                " .\t" + (cat ? "feline" : "canine") + "\n";
    }
    writeText(dir.file(name), text);
    return dir.file(name);
}

FineTuneConfig tinyFineTune(const std::string& model, const std::string& data, const std::string& out) {
    FineTuneConfig c;
    c.modelDir = model;
    c.dataPath = data;
    c.outDir = out;
    c.epochs = 4;
    c.batchSize = 8;
    c.learningRate = 3e-3;
    c.dropout = 0.0;
    c.heldOutFraction = 0.2;
    return c;
}

std::string writeAnimalTags(const TempDir& dir) {
    const char* animals[] = {"cat", "dog"};
    const char* places[] = {"house", "tree", "mat"};
    std::string text = "-DOCSTART-\tO\n\n";
    for (int i = 0; i < 90; ++i) {
        text += "the\tO\n";
        if (i % 3 == 0) text += "shiny\tB-ANIMAL\n";
        text += std::string(animals[i % 2]) + (i % 3 == 0 ? "\tI-ANIMAL\n" : "\tB-ANIMAL\n");
        text += "sat\tO\non\tO\nthe\tO\n";
        text += std::string(places[i % 3]) + "\tB-PLACE\n\n";
    }
    writeText(dir.file("tags.conll"), text);
    return dir.file("tags.conll");
}

}  // namespace ascope::test
