#include "image_pane.h"
#include "main_window.h"

#include "image/png_io.h"

#include <gtest/gtest.h>

#include <QImage>
#include <QProcess>
#include <QTemporaryDir>

#include <filesystem>

namespace dpflow::ui {
namespace {

// A gradient image written as a 16-bit PNG: its display values are known exactly.
QString writeGradientPng(const QTemporaryDir& dir, int width, int height) {
    Image image = makeImage(width, height);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) image.at(x, y) = static_cast<float>(x) / (width - 1);
    const QString path = dir.filePath("gradient.png");
    writePng(image, path.toStdString(), 16);
    return path;
}

TEST(MainWindow, OpeningAPngShowsItsPixelsInThePane) {
    QTemporaryDir dir;
    MainWindow window;
    ASSERT_TRUE(window.openImage(writeGradientPng(dir, 64, 32)));
    const Image& shown = window.pane()->image();
    EXPECT_EQ(shown.width, 64);
    EXPECT_EQ(shown.height, 32);
    EXPECT_FLOAT_EQ(shown.at(0, 5), 0.0f);
    EXPECT_FLOAT_EQ(shown.at(63, 5), 1.0f);
    EXPECT_TRUE(window.statusMessage().contains("64 x 32")) << window.statusMessage().toStdString();
}

TEST(MainWindow, AnUnreadableFileIsReportedInTheStatusBarAndKeepsThePreviousImage) {
    QTemporaryDir dir;
    MainWindow window;
    ASSERT_TRUE(window.openImage(writeGradientPng(dir, 16, 16)));
    const QString missing = dir.filePath("does-not-exist.dcm");
    EXPECT_FALSE(window.openImage(missing));
    EXPECT_TRUE(window.statusMessage().startsWith("Cannot open")) << window.statusMessage().toStdString();
    EXPECT_EQ(window.pane()->image().width, 16);
}

TEST(MainWindow, ThePaneKeepsTheImageAspectRatio) {
    QTemporaryDir dir;
    MainWindow window;
    window.resize(800, 800);
    ASSERT_TRUE(window.openImage(writeGradientPng(dir, 64, 32)));
    window.show();
    const QRect drawn = window.pane()->imageRect();
    ASSERT_FALSE(drawn.isEmpty());
    EXPECT_NEAR(static_cast<double>(drawn.width()) / drawn.height(), 2.0, 0.05);
}

TEST(StudioExecutable, WritesAScreenshotOfTheOpenImage) {
    QTemporaryDir dir;
    const QString image_path = writeGradientPng(dir, 128, 128);
    const QString screenshot = dir.filePath("shot.png");
    QProcess studio;
    studio.start(DPFLOW_STUDIO, {"--open", image_path, "--screenshot", screenshot});
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
