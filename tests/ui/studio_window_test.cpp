#include "image_pane.h"
#include "main_window.h"
#include "plot_panel.h"
#include "privacy_panel.h"
#include "ui_test_support.h"

#include "flow/flow_model.h"
#include "image/dicom_writer.h"
#include "image/image_reader.h"
#include "image/manifest.h"
#include "../support/released_header_checks.h"
#include "phantom/phantom_study.h"
#include "privacy/laplace_noise_plan.h"
#include "privacy/latent_allocation.h"
#include "privacy/latent_mechanisms.h"
#include "image/sha256.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QFileInfo>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <fstream>

namespace dpflow::ui {
namespace {

constexpr int kWaitMs = 30000;

// The accounted noise scale b of dpglow on the 32 px model at `epsilon`.
double expectedDpGlowScale(double epsilon) {
    static const FlowModel model = FlowModel::load(kSmallModel.toStdString(), "cpu");
    const LatentBox box{model.calibrationLo(), model.calibrationHi()};
    return planLaplaceNoise(box.l1Sensitivity(), box.lo.size(), epsilon).scale;
}

class StudioWindow : public ::testing::Test {
protected:
    void SetUp() override {
        window.privacyPanel()->setMechanism(PrivacyMechanism::DpGlow);
        window.privacyPanel()->setEpsilon(1e5);
        ASSERT_TRUE(openStudy(window, {writePneumoniaStudy(dir)}));
        ASSERT_TRUE(waitForPreviewAt(1e5));
    }

    // Waits until the privatized pane shows the preview for eps (the worker runs on its own thread).
    bool waitForPreviewAt(double epsilon) {
        return QTest::qWaitFor([&] { return window.lastPreview() && window.lastPreview()->accounting.epsilon_mechanism == epsilon; }, kWaitMs);
    }

    QLabel* label(const char* name) { return window.findChild<QLabel*>(name); }

    QTemporaryDir dir;
    MainWindow window{smallModelOptions()};
};

TEST_F(StudioWindow, OpeningAStudyShowsTheOriginalAtModelSizeBesideAStampedPreview) {
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.originalPane()->image().width == 32; }, kWaitMs));
    EXPECT_EQ(window.sourceImage().width, 28);  // PneumoniaMNIST's own size, one toggle away
    EXPECT_EQ(window.privatizedPane()->image().width, 32);
    EXPECT_TRUE(isPreviewImage(window.privatizedPane()->image()));
    window.setFullResolutionOriginal(true);
    EXPECT_EQ(window.originalPane()->image().width, 28);
}

TEST_F(StudioWindow, MovingTheSliderChangesThePreviewAndShowsTheNoiseScale) {
    const std::vector<float> before = window.privatizedPane()->image().pixels;
    auto* slider = window.findChild<QSlider*>("epsilon-slider");
    ASSERT_NE(slider, nullptr);
    slider->setValue(slider->value() - 100);  // 1e5 -> 1e4.2: less budget, more noise
    const double epsilon = window.privacyPanel()->epsilon();
    EXPECT_NEAR(std::log10(epsilon), 4.2, 1e-9);
    ASSERT_TRUE(waitForPreviewAt(epsilon));
    EXPECT_NE(window.privatizedPane()->image().pixels, before);
    const QString b = QString::number(expectedDpGlowScale(epsilon), 'g', 6);
    EXPECT_TRUE(label("noise-scale-label")->text().startsWith("b = " + b)) << label("noise-scale-label")->text().toStdString()
                                                                          << " expected b = " << b.toStdString();
    EXPECT_NEAR(window.plotPanel()->markerEpsilon(), epsilon, 1e-9 * epsilon);
}

TEST_F(StudioWindow, ProtectingAnAttributeShowsItsEpsilonInTheAccounting) {
    window.findChild<QDoubleSpinBox*>("attribute-epsilon-label")->setValue(2.5);
    window.findChild<QComboBox*>("attribute-treatment-label")->setCurrentIndex(1);  // protect
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.lastPreview() && window.lastPreview()->accounting.epsilon_total == 1e5 + 2.5; }, kWaitMs));
    EXPECT_EQ(label("epsilon-total-label")->text(), "100002.5");
    EXPECT_TRUE(label("epsilon-parts-label")->text().contains("eps_label 2.5")) << label("epsilon-parts-label")->text().toStdString();
}

TEST_F(StudioWindow, ExportWritesTheImageAndItsRecordWithFreshNoise) {
    QSignalSpy written(&window, &MainWindow::exportWritten);
    const QString path = dir.filePath("out/release.png");
    window.exportCurrent(path, StudioExportFormat::Png16);
    ASSERT_TRUE(written.wait(kWaitMs));
    EXPECT_EQ(written.at(0).at(0).toString(), path);
    const Image released = readImage(path.toStdString());
    EXPECT_EQ(released.width, 32);
    EXPECT_NE(released.pixels, window.privatizedPane()->image().pixels);  // fresh noise, not the preview's draw

    std::ifstream in(written.at(0).at(1).toString().toStdString());
    const auto record = nlohmann::json::parse(in);
    EXPECT_EQ(record["format"], "dpflow-release-record");
    EXPECT_EQ(record["mechanism"], "dpglow");
    EXPECT_EQ(record["epsilon"]["total"], 1e5);
    EXPECT_EQ(record["noise"]["scale_b"].get<double>(), expectedDpGlowScale(1e5));
    EXPECT_EQ(record["randomness"]["source"], "getrandom");
    EXPECT_EQ(record["output"]["file"], path.toStdString());
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(dir.filePath("out").toStdString()) / "privacy-ledger.jsonl"));
}

TEST_F(StudioWindow, DicomExportGoesThroughTheDeidentifyingWriter) {
    QSignalSpy written(&window, &MainWindow::exportWritten);
    const QString path = dir.filePath("release.dcm");
    window.exportCurrent(path, StudioExportFormat::Dicom);
    ASSERT_TRUE(written.wait(kWaitMs));
    const Image released = readImage(path.toStdString());
    EXPECT_EQ(released.width, 32);
    EXPECT_FALSE(released.transfer_syntax.empty());
    std::ifstream in(written.at(0).at(1).toString().toStdString());
    EXPECT_EQ(nlohmann::json::parse(in)["output"]["format"], "dcm");
}

TEST(StudioDicomExport, TheReleasedHeaderCarriesNothingOfTheSourceButTheAllowlist) {
    // A film whose header names the patient and states the true sex and view everywhere.
    QTemporaryDir dir;
    const std::filesystem::path folder = dir.path().toStdString();
    const std::filesystem::path film = folder / "film.dcm";
    const auto png = std::filesystem::path(DPFLOW_SHARED_DATA_DIR) / "pneumoniamnist" / "png" / "test" / "test_00000_pneumonia.png";
    writeDicom(readImage(png), film, 8, test::identifyingSourceHeader("F", "AP"));
    Manifest manifest({"file", "split", "label"}, folder);
    manifest.addRow({film.string(), "test", "1"});
    manifest.write(folder / "manifest.csv");

    MainWindow window{smallModelOptions()};
    window.privacyPanel()->setMechanism(PrivacyMechanism::DpGlow);
    window.privacyPanel()->setEpsilon(1e5);
    ASSERT_TRUE(openStudy(window, {dir.path()}));
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.lastPreview().has_value(); }, kWaitMs));
    QSignalSpy written(&window, &MainWindow::exportWritten);
    const QString path = dir.filePath("release.dcm");
    window.exportCurrent(path, StudioExportFormat::Dicom);
    ASSERT_TRUE(written.wait(kWaitMs));
    test::expectReleasedHeader(path.toStdString(), {}, {"PatientSex", "ViewPosition", "PatientAge"}, false);
}

TEST(StudioUnknownAttribute, IsShownAsUnknownPreviewedUnderTheMostFrequentValueAndBlocksExport) {
    // A plain PNG outside any manifest: nothing states its label.
    QTemporaryDir dir;
    const auto film = std::filesystem::path(DPFLOW_SHARED_DATA_DIR) / "pneumoniamnist" / "png" / "test" / "test_00000_pneumonia.png";
    MainWindow window{smallModelOptions()};
    window.privacyPanel()->setEpsilon(1e5);
    ASSERT_TRUE(openStudy(window, {QString::fromStdString(film.string())}));
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.lastPreview().has_value(); }, kWaitMs));
    EXPECT_EQ(window.privacyPanel()->unknownTrueAttributes(), std::vector<std::string>{"label"});
    EXPECT_EQ(window.findChild<QComboBox*>("attribute-truth-label")->currentText(), "unknown");

    QSignalSpy failed(&window, &MainWindow::exportFailed);
    window.exportCurrent(dir.filePath("release.png"), StudioExportFormat::Png16);
    ASSERT_EQ(failed.count(), 1);
    EXPECT_TRUE(failed.at(0).at(0).toString().contains("true value of label")) << failed.at(0).at(0).toString().toStdString();

    window.findChild<QComboBox*>("attribute-truth-label")->setCurrentIndex(1);  // the user says: pneumonia ("1")
    EXPECT_TRUE(window.privacyPanel()->unknownTrueAttributes().empty());
    QSignalSpy written(&window, &MainWindow::exportWritten);
    window.exportCurrent(dir.filePath("release.png"), StudioExportFormat::Png16);
    EXPECT_TRUE(written.wait(kWaitMs));
}

TEST(StudioExportOfAChangedFile, IsRefusedBecauseTheRecordedHashMustBeOfTheBytesShown) {
    QTemporaryDir dir;
    const std::filesystem::path folder = dir.path().toStdString();
    const auto images = std::filesystem::path(DPFLOW_SHARED_DATA_DIR) / "pneumoniamnist" / "png" / "test";
    const std::filesystem::path film = folder / "film.png";
    std::filesystem::copy_file(images / "test_00000_pneumonia.png", film);
    Manifest manifest({"file", "split", "label"}, folder);
    manifest.addRow({film.string(), "test", "1"});
    manifest.write(folder / "manifest.csv");

    MainWindow window{smallModelOptions()};
    window.privacyPanel()->setEpsilon(1e5);
    ASSERT_TRUE(openStudy(window, {dir.path()}));
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.lastPreview().has_value(); }, kWaitMs));
    std::filesystem::copy_file(images / "test_00234_normal.png", film, std::filesystem::copy_options::overwrite_existing);

    QSignalSpy failed(&window, &MainWindow::exportFailed);
    window.exportCurrent(dir.filePath("release.png"), StudioExportFormat::Png16);
    ASSERT_TRUE(failed.wait(kWaitMs));
    EXPECT_TRUE(failed.at(0).at(0).toString().contains("changed after it was opened")) << failed.at(0).at(0).toString().toStdString();
    EXPECT_FALSE(std::filesystem::exists(folder / "release.png"));
}

TEST_F(StudioWindow, TheDifferencePaneShowsTheSignedDifferenceAtItsGain) {
    window.setDifferenceVisible(true);
    const Image& difference = window.differencePane()->image();
    ASSERT_EQ(difference.width, 32);
    const Image& original = window.originalPane()->image();
    const Image& privatized = window.privatizedPane()->image();
    for (int i : {0, 100, 517, 1000}) {
        const float expected = std::clamp(0.5f + 0.5f * 2.0f * (privatized.pixels[i] - original.pixels[i]), 0.0f, 1.0f);
        EXPECT_FLOAT_EQ(difference.pixels[i], expected) << "pixel " << i;
    }
}

TEST_F(StudioWindow, AWindowPresetOnOnePaneMovesTheLinkedPanes) {
    window.show();
    QTest::keyClick(window.originalPane(), Qt::Key_3);
    DisplayRange lung;
    ASSERT_TRUE(windowPreset(3, lung));
    EXPECT_EQ(window.originalPane()->viewState().window.high, lung.high);
    EXPECT_EQ(window.privatizedPane()->viewState().window.high, lung.high);
    EXPECT_EQ(window.privatizedPane()->viewState().window.low, lung.low);
}

TEST_F(StudioWindow, TheNewNoiseDrawButtonChangesThePreviewAtTheSameEpsilon) {
    const std::vector<float> before = window.privatizedPane()->image().pixels;
    const auto generation = window.lastPreview()->image_generation;
    window.privacyPanel()->newNoiseDrawRequested();
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.lastPreview()->image_generation > generation; }, kWaitMs));
    EXPECT_NE(window.privatizedPane()->image().pixels, before);
    EXPECT_EQ(window.lastPreview()->accounting.epsilon_mechanism, 1e5);
}

TEST_F(StudioWindow, TheSafeguardShowsItsVerdictOnThePreviewAndClearsItWhenOff) {
    QLabel* verdict = label("safeguard-verdict-label");
    ASSERT_NE(verdict, nullptr);
    EXPECT_TRUE(verdict->text().isEmpty());
    // The study's own manifest lists the open image, so R holds it; tau 10 exceeds any distance
    // between standardised features (at most 2), so export would withhold every draw.
    const std::filesystem::path reference = std::filesystem::path(dir.path().toStdString()) / "manifest.csv";
    window.privacyPanel()->setSafeguard(SafeguardSettings{reference, 10.0, SafeguardPolicy::Withhold, 1, true});
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.lastPreview() && window.lastPreview()->safeguard; }, kWaitMs));
    EXPECT_EQ(window.lastPreview()->safeguard->reference_images, 3u);
    EXPECT_TRUE(window.lastPreview()->safeguard->reference_holds_image);
    EXPECT_TRUE(verdict->text().contains("&lt; tau 10.000: withheld on export")) << verdict->text().toStdString();
    EXPECT_TRUE(verdict->text().contains("same SHA-256")) << verdict->text().toStdString();
    EXPECT_TRUE(window.privatizedPane()->badge().contains("withheld on export")) << window.privatizedPane()->badge().toStdString();

    window.privacyPanel()->setSafeguard(std::nullopt);
    EXPECT_TRUE(verdict->text().isEmpty());
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.lastPreview() && !window.lastPreview()->safeguard; }, kWaitMs));
    EXPECT_TRUE(verdict->text().isEmpty());
    EXPECT_TRUE(window.privatizedPane()->badge().isEmpty());
}

TEST_F(StudioWindow, AnUnreadableReferenceManifestIsReportedInThePanel) {
    QSignalSpy failed(&window, &MainWindow::previewFailed);
    const std::filesystem::path missing = std::filesystem::path(dir.path().toStdString()) / "missing-reference.csv";
    window.privacyPanel()->setSafeguard(SafeguardSettings{missing, 0.3, SafeguardPolicy::Withhold, 1, false});
    ASSERT_TRUE(failed.wait(kWaitMs));
    EXPECT_TRUE(failed.at(0).at(0).toString().contains(QString::fromStdString(missing.string())));
    EXPECT_TRUE(label("epsilon-parts-label")->text().contains("missing-reference.csv"));
    EXPECT_TRUE(label("safeguard-verdict-label")->text().isEmpty());
}

TEST(StudioSettings, EpsilonAndMechanismPersistAcrossWindows) {
    {
        MainWindow window(smallModelOptions());
        window.privacyPanel()->setMechanism(PrivacyMechanism::Cadp);
        window.privacyPanel()->setEpsilon(12345.0);
        window.close();
    }
    MainWindow reopened(smallModelOptions());
    EXPECT_EQ(reopened.privacyPanel()->epsilon(), 12345.0);
    EXPECT_EQ(reopened.privacyPanel()->request().settings.mechanism.mechanism, PrivacyMechanism::Cadp);
    reopened.privacyPanel()->setMechanism(PrivacyMechanism::DpGlow);
    reopened.close();
}

// The one test on the default 128 px model: the bundled kind of sample (phantoms with ground truth).
TEST(StudioModelChoice, ARealFilmGetsTheRealFilmModelAndAPhantomStudyThePhantomModel) {
    const QString real_model = QString(DPFLOW_SOURCE_DIR) + "/models/nih128-glow.safetensors";
    ASSERT_TRUE(QFileInfo::exists(real_model)) << "the real-film model is shipped in models/";
    // A real NIH test film in a manifest with its attributes, as the README's real-film study.
    QTemporaryDir dir;
    const std::filesystem::path folder = dir.path().toStdString();
    const auto nih = std::filesystem::path(DPFLOW_SHARED_DATA_DIR) / "nih-cxr1000";
    Manifest manifest({"file", "split", "label", "sex", "view"}, folder / "real");
    manifest.addRow({(nih / "png" / "00000211_013.png").string(), "test", "pneumonia", "F", "AP"});
    std::filesystem::create_directories(folder / "real");
    manifest.write(folder / "real" / "films.csv");
    PhantomStudyOptions phantoms;
    phantoms.out_dir = folder / "phantoms";
    phantoms.patients = 1;
    phantoms.images_per_patient = 1;
    phantoms.size = 128;
    phantoms.seed = 5;
    generatePhantomStudy(phantoms);

    MainWindow window;  // no --model: what is opened chooses
    window.privacyPanel()->setEpsilon(1e6);
    window.privacyPanel()->setAttributeTreatment("sex", true, 1.0);  // the user protects sex under the phantom model
    ASSERT_TRUE(openAndShow(window, {dir.filePath("real/films.csv")}));  // a .csv is a study manifest
    EXPECT_EQ(QFileInfo(window.modelPath()).fileName(), "nih128-glow.safetensors");
    EXPECT_TRUE(window.privacyPanel()->unknownTrueAttributes().empty());  // label, sex and view from the manifest
    bool sex_protected = false;
    for (const auto& treatment : window.privacyPanel()->request().settings.attributes)
        if (treatment.name == "sex") sex_protected = treatment.protect;
    EXPECT_TRUE(sex_protected) << "a protected attribute stays protected across the model switch";
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.lastPreview().has_value(); }, 60000));
    EXPECT_EQ(window.privatizedPane()->image().width, 128);

    ASSERT_TRUE(openStudy(window, {dir.filePath("phantoms")}));
    EXPECT_EQ(QFileInfo(window.modelPath()).fileName(), "phantom128-glow.safetensors");
}

TEST(StudioModelChoice, ChoosingAnotherModelReencodesTheFilmAndKeepsTheWindow) {
    QTemporaryDir dir;
    MainWindow window{smallModelOptions()};
    window.privacyPanel()->setEpsilon(1e6);
    ASSERT_TRUE(openStudy(window, {writePneumoniaStudy(dir)}));
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.lastPreview().has_value(); }, kWaitMs));
    ViewState lung = window.originalPane()->viewState();
    ASSERT_TRUE(windowPreset(3, lung.window));
    window.originalPane()->setViewState(lung);

    auto* chooser = window.findChild<QComboBox*>("model-chooser");
    ASSERT_NE(chooser, nullptr);
    const int phantom = chooser->findText("phantom128-glow");
    ASSERT_GE(phantom, 0);
    emit chooser->activated(phantom);
    EXPECT_EQ(QFileInfo(window.modelPath()).fileName(), "phantom128-glow.safetensors");
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.originalPane()->image().width == 128; }, kWaitMs));  // re-encoded at 128 px
    EXPECT_EQ(window.originalPane()->viewState().window.low, lung.window.low);
    EXPECT_EQ(window.originalPane()->viewState().window.high, lung.window.high);
}

TEST(StudioSample, ThePhantomSampleOpensWithTheDefaultModelAndItsGroundTruth) {
    QTemporaryDir dir;
    PhantomStudyOptions options;
    options.out_dir = dir.filePath("sample").toStdString();
    options.patients = 1;
    options.images_per_patient = 2;
    options.size = 256;
    options.seed = 2024;
    generatePhantomStudy(options);
    MainWindow window;  // the studio's default model
    ASSERT_TRUE(window.hasModel()) << window.statusMessage().toStdString();
    window.privacyPanel()->setEpsilon(1e7);  // well inside the range where this flow decodes finitely
    ASSERT_TRUE(openStudy(window, {dir.filePath("sample")}));
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.lastPreview().has_value(); }, 60000));
    EXPECT_EQ(window.privatizedPane()->image().width, 128);
    EXPECT_EQ(window.originalPane()->image().width, 128);
    EXPECT_FALSE(window.originalPane()->overlay().boxes.empty());  // text box and marker from the manifest
    window.setGroundTruthVisible(true);
    EXPECT_TRUE(window.originalPane()->overlayVisible());
}


// The allocated mechanism in the studio: the allocation beside the open model is read, the panel
// shows the per-group scales, the prior groups and that eps is their sum.
TEST(StudioAllocated, PreviewsWithTheAllocationBesideTheModelAndShowsItsGroups) {
    QTemporaryDir dir;
    const std::filesystem::path model = std::filesystem::path(dir.path().toStdString()) / "small.safetensors";
    std::filesystem::copy_file(kSmallModel.toStdString(), model);
    const FlowModel flow = FlowModel::load(model, "cpu");
    LatentAllocation allocation;
    allocation.scheme = "coarse";
    allocation.objective = "test: the finest level drawn from the prior";
    allocation.model_sha256 = sha256OfFile(model);
    allocation.public_data = "none (test)";
    const LatentLayout& layout = flow.layout();
    const std::size_t budgeted = static_cast<std::size_t>(layout.total - layout.levels[0].size());
    allocation.groups.push_back({"finest level", 0, static_cast<std::size_t>(layout.levels[0].size()), 0.0, 0.0, 0.0});
    allocation.groups.push_back({"coarser levels", static_cast<std::size_t>(layout.levels[0].size()),
                                 static_cast<std::size_t>(layout.total), 1.0, 0.0, 0.0});
    writeLatentAllocation(allocationPathBeside(model), allocation);

    MainWindow window{StudioOptions{QString::fromStdString(model.string())}};
    window.privacyPanel()->setMechanism(PrivacyMechanism::Allocated);
    window.privacyPanel()->setEpsilon(1e5);
    ASSERT_TRUE(openStudy(window, {writePneumoniaStudy(dir)}));
    ASSERT_TRUE(QTest::qWaitFor([&] {
        return window.lastPreview() && window.lastPreview()->accounting.mechanism == PrivacyMechanism::Allocated;
    }, kWaitMs));
    const ReleaseAccounting& accounting = window.lastPreview()->accounting;
    ASSERT_EQ(accounting.groups.size(), 2u);
    EXPECT_EQ(accounting.plan->dimension, budgeted);
    const auto text = [&](const char* name) { return window.findChild<QLabel*>(name)->text().toStdString(); };
    EXPECT_NE(text("noise-scale-label").find("1 groups drawn from the prior"), std::string::npos) << text("noise-scale-label");
    EXPECT_NE(text("epsilon-parts-label").find("sum of the eps_g of the allocation small.allocation.json"), std::string::npos)
        << text("epsilon-parts-label");
    EXPECT_NE(text("epsilon-parts-label").find("formal guarantee is vacuous"), std::string::npos) << text("epsilon-parts-label");
    EXPECT_TRUE(isPreviewImage(window.privatizedPane()->image()));
}

}  // namespace
}  // namespace dpflow::ui
