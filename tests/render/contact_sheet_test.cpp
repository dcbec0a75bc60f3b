#include "render/contact_sheet.h"

#include <QImage>
#include <QString>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace dpflow {
namespace {

namespace fs = std::filesystem;

class ContactSheetTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("dpflow_render_" + std::to_string(::getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

ContactSheet twoByTwo() {
    ContactSheet sheet;
    sheet.columns = 2;
    sheet.tile_pixels = 64;
    for (const float value : {0.0f, 1.0f, 0.0f, 1.0f}) sheet.tiles.push_back({makeImage(8, 8, value), "x"});
    return sheet;
}

TEST_F(ContactSheetTest, DrawsEachImageScaledIntoItsTile) {
    const auto path = dir_ / "sheet.png";
    writeContactSheetPng(twoByTwo(), path);
    QImage png(QString::fromStdString(path.string()));
    ASSERT_FALSE(png.isNull());
    EXPECT_GT(png.width(), 2 * 64);
    EXPECT_GT(png.height(), 2 * 64);
    // The first tile is black, the second white: sample their centres, away from any caption.
    int x0 = -1;
    for (int x = 0; x < png.width() && x0 < 0; ++x) {
        if (qGray(png.pixel(x, png.height() / 4)) == 0) x0 = x;
    }
    ASSERT_GE(x0, 0) << "no black tile found";
    EXPECT_EQ(qGray(png.pixel(x0 + 32, png.height() / 4)), 0);
    int x1 = x0 + 64;
    while (x1 < png.width() && qGray(png.pixel(x1, png.height() / 4)) == 255) ++x1;  // gap, then the white tile is white too
    EXPECT_GE(x1 - x0, 64 + 64) << "the second tile should be white next to the first";
}

TEST_F(ContactSheetTest, LabelCountsMustMatchTheGrid) {
    auto sheet = twoByTwo();
    sheet.row_labels = {"only one"};
    EXPECT_THROW(writeContactSheetPng(sheet, dir_ / "a.png"), std::invalid_argument);
    sheet = twoByTwo();
    sheet.column_labels = {"a", "b", "c"};
    EXPECT_THROW(writeContactSheetPng(sheet, dir_ / "b.png"), std::invalid_argument);
    EXPECT_THROW(writeContactSheetPng(ContactSheet{}, dir_ / "c.png"), std::invalid_argument);
}

TEST_F(ContactSheetTest, AnUnwritablePathIsAnErrorNamingIt) {
    const auto blocker = dir_ / "file";
    { std::ofstream(blocker) << "x"; }
    try {
        writeContactSheetPng(twoByTwo(), blocker / "sheet.png");
        FAIL() << "wrote below a regular file";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("sheet.png"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace dpflow
