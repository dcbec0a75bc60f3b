#include "image_pane.h"
#include "main_window.h"
#include "study_browser.h"
#include "study_listing.h"
#include "ui_test_support.h"

#include "image/png_io.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QImage>
#include <QListWidget>
#include <QProcess>
#include <QSettings>
#include <QTest>
#include <QTemporaryDir>

#include <fstream>

#include <filesystem>

namespace dpflow::ui {
namespace {

// A gradient image written as a 16-bit PNG: its display values are known exactly.
QString writeGradientPng(const QTemporaryDir& dir, int width, int height, const QString& name = "gradient.png") {
    Image image = makeImage(width, height);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) image.at(x, y) = static_cast<float>(x) / (width - 1);
    const QString path = dir.filePath(name);
    writePng(image, path.toStdString(), 16);
    return path;
}

TEST(MainWindow, OpeningAPngShowsItsPixelsInThePane) {
    QTemporaryDir dir;
    MainWindow window(smallModelOptions());
    ASSERT_TRUE(openAndShow(window, {writeGradientPng(dir, 64, 32)}));
    const Image& shown = window.sourceImage();
    EXPECT_EQ(shown.width, 64);
    EXPECT_EQ(shown.height, 32);
    EXPECT_FLOAT_EQ(shown.at(0, 5), 0.0f);
    EXPECT_FLOAT_EQ(shown.at(63, 5), 1.0f);
    EXPECT_TRUE(window.statusMessage().contains("64x32")) << window.statusMessage().toStdString();
}

TEST(MainWindow, AnUnreadableFileIsReportedInTheStatusBarAndTheBrowser) {
    QTemporaryDir dir;
    MainWindow window(smallModelOptions());
    ASSERT_TRUE(openAndShow(window, {writeGradientPng(dir, 16, 16)}));
    const QString missing = dir.filePath("does-not-exist.dcm");
    EXPECT_FALSE(openStudy(window, {missing}));
    EXPECT_TRUE(window.statusMessage().startsWith("Cannot open")) << window.statusMessage().toStdString();
    EXPECT_TRUE(window.statusMessage().contains("does-not-exist.dcm")) << window.statusMessage().toStdString();
    EXPECT_EQ(window.studyBrowser()->failedCount(), 1);
    EXPECT_TRUE(window.sourceImage().empty());
}

TEST(MainWindow, OpeningAFolderListsEveryImageAndEveryUnreadableFile) {
    QTemporaryDir dir;
    writeGradientPng(dir, 16, 16, "a.png");
    writeGradientPng(dir, 24, 24, "b.png");
    std::ofstream(dir.filePath("c.png").toStdString(), std::ios::binary) << "\x89PNG\r\n\x1a\n truncated";
    std::ofstream(dir.filePath("notes.txt").toStdString()) << "not an image";
    MainWindow window(smallModelOptions());
    ASSERT_TRUE(openAndShow(window, {dir.path()}));
    EXPECT_EQ(window.studyBrowser()->rowCount(), 3);  // the text file is skipped, not listed
    // The truncated PNG is found out when its thumbnail is made, off the UI thread.
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.studyBrowser()->failedCount() == 1; }, 30000));
    EXPECT_EQ(window.sourceImage().width, 16);      // the first readable image in path order
    EXPECT_TRUE(window.statusMessage().contains("1 file(s) could not be read")) << window.statusMessage().toStdString();
}

TEST(MainWindow, AFirstImageThatCannotBeDecodedGivesWayToTheNext) {
    QTemporaryDir dir;
    std::ofstream(dir.filePath("a.png").toStdString(), std::ios::binary) << "\x89PNG\r\n\x1a\n truncated";
    writeGradientPng(dir, 24, 24, "b.png");
    MainWindow window(smallModelOptions());
    ASSERT_TRUE(openAndShow(window, {dir.path()}));  // a.png is listed: it is a PNG by content
    EXPECT_EQ(window.sourceImage().width, 24);
    EXPECT_EQ(window.studyBrowser()->failedCount(), 1);
    const auto* list = window.studyBrowser()->findChild<QListWidget*>();
    ASSERT_NE(list, nullptr);
    EXPECT_EQ(list->currentRow(), 1);
    EXPECT_TRUE(list->item(0)->text().contains("cannot read")) << list->item(0)->text().toStdString();
}

TEST(MainWindow, TheLastImageChosenWinsOverDecodesStillUnderway) {
    QTemporaryDir dir;
    writeGradientPng(dir, 16, 16, "a.png");
    writeGradientPng(dir, 20, 20, "b.png");
    writeGradientPng(dir, 28, 28, "c.png");
    MainWindow window(smallModelOptions());
    ASSERT_TRUE(openStudy(window, {dir.path()}));
    auto* list = window.studyBrowser()->findChild<QListWidget*>();
    ASSERT_NE(list, nullptr);
    list->setCurrentRow(1);
    list->setCurrentRow(2);  // before a.png or b.png had time to be shown
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.sourceImage().width == 28; }, 30000));
    QTest::qWait(300);  // an earlier decode that finishes now must not replace it
    EXPECT_EQ(window.sourceImage().width, 28);
    list->setCurrentRow(0);
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.sourceImage().width == 16; }, 30000));
}

TEST(MainWindow, AStudyFolderWithAManifestListsOnlyTheManifestsImages) {
    QTemporaryDir dir;
    writeGradientPng(dir, 16, 16, "a.png");
    writeGradientPng(dir, 16, 16, "a_mask.png");
    writeGradientPng(dir, 24, 24, "b.png");
    std::ofstream(dir.filePath("manifest.csv").toStdString()) << "file,split\nb.png,test\na.png,train\n";
    MainWindow window(smallModelOptions());
    ASSERT_TRUE(openAndShow(window, {dir.path()}));
    EXPECT_EQ(window.studyBrowser()->rowCount(), 2);
    EXPECT_EQ(window.sourceImage().width, 24);  // manifest order: b.png first
}

TEST(StudyListing, ListsAFolderByContentWithoutDecodingAndStopsWhenSuperseded) {
    QTemporaryDir dir;
    writeGradientPng(dir, 16, 16, "a.png");
    std::ofstream(dir.filePath("b.png").toStdString(), std::ios::binary) << "\x89PNG\r\n\x1a\n truncated";
    std::ofstream(dir.filePath("notes.txt").toStdString()) << "not an image";
    const StudyListing listing = listStudy({dir.path()});
    EXPECT_EQ(listing.readable, 2u);  // the truncated PNG is a PNG by content: it fails when decoded
    EXPECT_EQ(listing.failed, 0u);
    EXPECT_TRUE(listing.manifest.empty());
    EXPECT_THROW(listStudy({dir.path()}, [] { return true; }), ListingSuperseded);
}

TEST(MainWindow, OpeningAgainBeforeTheListingEndsShowsOnlyTheNewestStudy) {
    QTemporaryDir first, second;
    writeGradientPng(first, 16, 16, "a.png");
    writeGradientPng(second, 24, 24, "b.png");
    writeGradientPng(second, 24, 24, "c.png");
    MainWindow window(smallModelOptions());
    QSignalSpy opened(&window, &MainWindow::studyOpened);
    window.openPaths({first.path()});
    window.openPaths({second.path()});  // before the first listing was delivered
    ASSERT_TRUE(opened.wait(30000));
    QTest::qWait(200);  // a listing of the first folder that finished meanwhile must not be shown
    EXPECT_EQ(opened.count(), 1);
    EXPECT_EQ(window.studyBrowser()->rowCount(), 2);
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.sourceImage().width == 24; }, 30000));
}

TEST(MainWindow, ThePaneKeepsTheImageAspectRatio) {
    QTemporaryDir dir;
    MainWindow window(smallModelOptions());
    window.resize(800, 800);
    window.setFullResolutionOriginal(true);
    ASSERT_TRUE(openAndShow(window, {writeGradientPng(dir, 64, 32)}));
    window.show();
    const QRectF drawn = window.originalPane()->imageRect();
    ASSERT_FALSE(drawn.isEmpty());
    EXPECT_NEAR(static_cast<double>(drawn.width()) / drawn.height(), 2.0, 0.05);
}

// ctest runs UI tests in parallel processes, and a window reopens what the studio remembered
// (the last curve): each test process must keep its settings in a folder of its own, and pass it
// to the studio processes it starts.
TEST(UiTestProcess, KeepsItsSettingsInAFolderOfItsOwnThatItsStudioProcessesInherit) {
    const QString folder = QString::fromLocal8Bit(qgetenv("XDG_CONFIG_HOME"));
    ASSERT_FALSE(folder.isEmpty());
    EXPECT_TRUE(QSettings().fileName().startsWith(folder + "/")) << QSettings().fileName().toStdString();
    EXPECT_FALSE(folder.startsWith(QDir::homePath() + "/.config"));
    EXPECT_FALSE(folder.startsWith(QDir::homePath() + "/.qttest"));
}

TEST(StudioExecutable, WritesAScreenshotOfTheOpenImage) {
    QTemporaryDir dir;
    const QString image_path = writeGradientPng(dir, 128, 128);
    const QString screenshot = dir.filePath("shot.png");
    QProcess studio;
    studio.start(DPFLOW_STUDIO, {"--model", kSmallModel, "--open", image_path, "--screenshot", screenshot});
    ASSERT_TRUE(studio.waitForFinished(60000));
    EXPECT_EQ(studio.exitCode(), 0) << studio.readAllStandardError().toStdString();
    QImage shot(screenshot);
    ASSERT_FALSE(shot.isNull());
    // The gradient runs dark to bright from left to right somewhere in the middle row.
    const int row = shot.height() / 2;
    int darkest = 255, brightest = 0;
    for (int x = 0; x < shot.width(); ++x) {
        const int v = qGray(shot.pixel(x, row));
        darkest = std::min(darkest, v);
        brightest = std::max(brightest, v);
    }
    EXPECT_LT(darkest, 20);
    EXPECT_GT(brightest, 235);
}

}  // namespace
}  // namespace dpflow::ui
