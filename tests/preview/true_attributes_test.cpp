#include "preview/true_attributes.h"

#include "image/dicom_writer.h"
#include "image/png_io.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

namespace dpflow {
namespace {

namespace fs = std::filesystem;

// A card like the real-film model's: label, sex and view, with training counts.
ModelCard realFilmCard() {
    ModelCard card;
    card.config.attributes = {{"label", {"normal", "pneumonia"}}, {"sex", {"F", "M"}}, {"view", {"AP", "PA"}}};
    card.training_attribute_counts = {{"label", {{"normal", 330}, {"pneumonia", 351}}},
                                      {"sex", {{"F", 300}, {"M", 381}}},
                                      {"view", {{"AP", 390}, {"PA", 291}}}};
    return card;
}

fs::path folder() {
    const fs::path dir = fs::temp_directory_path() / ("dpflow_true_attributes_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return dir;
}

Image grey() {
    Image image = makeImage(4, 4);
    std::fill(image.pixels.begin(), image.pixels.end(), 0.5f);
    return image;
}

const TrueAttribute& named(const std::vector<TrueAttribute>& all, const std::string& name) {
    for (const auto& attribute : all)
        if (attribute.name == name) return attribute;
    throw std::out_of_range(name);
}

TEST(TrueAttributes, TheDicomHeaderStatesSexAndViewInTheModelsSpelling) {
    const fs::path film = folder() / "header.dcm";
    writeDicom(grey(), film, 8, {{"PatientSex", "M"}, {"ViewPosition", "PA"}});
    const auto truth = resolveTrueAttributes(realFilmCard(), {}, film);
    EXPECT_EQ(named(truth, "sex").value, "M");
    EXPECT_EQ(named(truth, "sex").source, "DICOM header PatientSex");
    EXPECT_EQ(named(truth, "view").value, "PA");
    EXPECT_FALSE(named(truth, "label").value.has_value());  // no header element states a finding
    EXPECT_EQ(unknownAttributes(truth), std::vector<std::string>{"label"});
}

TEST(TrueAttributes, TheManifestWinsOverTheHeader) {
    const fs::path film = folder() / "both.dcm";
    writeDicom(grey(), film, 8, {{"PatientSex", "M"}, {"ViewPosition", "PA"}});
    const auto truth = resolveTrueAttributes(realFilmCard(), {{"sex", "F"}, {"label", "pneumonia"}}, film);
    EXPECT_EQ(named(truth, "sex").value, "F");
    EXPECT_EQ(named(truth, "sex").source, "manifest");
    EXPECT_EQ(named(truth, "label").value, "pneumonia");
    EXPECT_EQ(named(truth, "view").value, "PA");
}

TEST(TrueAttributes, APngWithoutManifestLeavesEveryValueUnknownAndTheEncodingUsesTheMostFrequent) {
    const fs::path film = folder() / "plain.png";
    writePng(grey(), film, 8);
    const ModelCard card = realFilmCard();
    const auto truth = resolveTrueAttributes(card, {}, film);
    EXPECT_EQ(unknownAttributes(truth), (std::vector<std::string>{"label", "sex", "view"}));
    EXPECT_EQ(encodingValues(truth, card), (AttributeValues{{"label", "pneumonia"}, {"sex", "M"}, {"view", "AP"}}));
}

TEST(TrueAttributes, AHeaderValueTheModelDoesNotKnowIsUnknownNotGuessed) {
    const fs::path film = folder() / "other.dcm";
    writeDicom(grey(), film, 8, {{"PatientSex", "O"}, {"ViewPosition", "LL"}});
    const auto truth = resolveTrueAttributes(realFilmCard(), {{"label", "consolidation"}}, film);
    EXPECT_EQ(unknownAttributes(truth), (std::vector<std::string>{"label", "sex", "view"}));
}

TEST(ModelCardCounts, WithoutCountsTheFirstValueStandsIn) {
    ModelCard card = realFilmCard();
    card.training_attribute_counts.clear();
    EXPECT_EQ(card.mostFrequentValue("view"), "AP");
    EXPECT_THROW(card.mostFrequentValue("age"), std::invalid_argument);
}

}  // namespace
}  // namespace dpflow
