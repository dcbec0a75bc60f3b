#include "flow/safetensors.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <cstring>
#include <filesystem>
#include <random>
#include <string>

namespace dpflow {
namespace {

SafetensorsTensor makeF32(std::vector<int64_t> shape, float start) {
    SafetensorsTensor t;
    t.dtype = SafetensorsDtype::F32;
    t.shape = std::move(shape);
    std::vector<float> values(static_cast<size_t>(t.numel()));
    for (size_t i = 0; i < values.size(); ++i) values[i] = start + static_cast<float>(i);
    t.data.resize(values.size() * 4);
    std::memcpy(t.data.data(), values.data(), t.data.size());
    return t;
}

SafetensorsFile sampleFile() {
    SafetensorsFile file;
    file.tensors["a.weight"] = makeF32({2, 3}, 1.0f);
    file.tensors["b"] = makeF32({4}, -2.0f);
    SafetensorsTensor flag;
    flag.dtype = SafetensorsDtype::U8;
    flag.shape = {};
    flag.data = {1};
    file.tensors["flag"] = flag;
    file.metadata["format"] = "test";
    return file;
}

// Builds a raw file from a header text and a data area, as a corrupt writer might.
std::vector<uint8_t> rawFile(const std::string& header, size_t data_bytes) {
    std::vector<uint8_t> bytes(8 + header.size() + data_bytes, 0);
    const uint64_t len = header.size();
    for (int i = 0; i < 8; ++i) bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(len >> (8 * i));
    std::copy(header.begin(), header.end(), bytes.begin() + 8);
    return bytes;
}

void expectRejected(const std::vector<uint8_t>& bytes, const std::string& reason_fragment) {
    try {
        parseSafetensors(bytes, "test.safetensors");
        FAIL() << "accepted a file that should be rejected for: " << reason_fragment;
    } catch (const SafetensorsError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("test.safetensors"), std::string::npos) << message;
        EXPECT_NE(message.find(reason_fragment), std::string::npos) << message;
    }
}

TEST(Safetensors, SerializeThenParseGivesIdenticalTensorsAndMetadata) {
    const auto file = sampleFile();
    const auto parsed = parseSafetensors(serializeSafetensors(file), "mem");
    ASSERT_EQ(parsed.tensors.size(), 3u);
    for (const auto& [name, tensor] : file.tensors) {
        const auto& other = parsed.at(name);
        EXPECT_EQ(other.dtype, tensor.dtype) << name;
        EXPECT_EQ(other.shape, tensor.shape) << name;
        EXPECT_EQ(other.data, tensor.data) << name;
    }
    EXPECT_EQ(parsed.metadata, file.metadata);
}

TEST(Safetensors, HeaderIsPaddedToEightBytesWithLittleEndianLength) {
    const auto bytes = serializeSafetensors(sampleFile());
    uint64_t len = 0;
    for (int i = 7; i >= 0; --i) len = (len << 8) | bytes[static_cast<size_t>(i)];
    EXPECT_EQ(len % 8, 0u);
    EXPECT_EQ(bytes[8], '{');
    EXPECT_EQ(bytes.size(), 8 + len + 6 * 4 + 4 * 4 + 1);
}

TEST(Safetensors, WriteAndReadFileRoundTripsBytes) {
    const auto path = std::filesystem::temp_directory_path() / ("dpflow_st_" + std::to_string(::getpid()) + ".safetensors");
    writeSafetensors(path, sampleFile());
    const auto parsed = readSafetensors(path);
    EXPECT_EQ(parsed.at("a.weight").data, sampleFile().at("a.weight").data);
    EXPECT_FALSE(std::filesystem::exists(path.string() + ".partial"));
    std::filesystem::remove(path);
}

TEST(Safetensors, ElementSizesFollowTheFormat) {
    EXPECT_EQ(dtypeSize(SafetensorsDtype::F64), 8u);
    EXPECT_EQ(dtypeSize(SafetensorsDtype::F32), 4u);
    EXPECT_EQ(dtypeSize(SafetensorsDtype::F16), 2u);
    EXPECT_EQ(dtypeSize(SafetensorsDtype::I64), 8u);
    EXPECT_EQ(dtypeSize(SafetensorsDtype::U8), 1u);
    EXPECT_EQ(dtypeName(SafetensorsDtype::BF16), "BF16");
}

TEST(Safetensors, RejectsTruncatedData) {
    auto bytes = serializeSafetensors(sampleFile());
    bytes.resize(bytes.size() - 3);
    expectRejected(bytes, "outside the data area");
}

TEST(Safetensors, RejectsFileShorterThanLengthField) {
    expectRejected({1, 2, 3}, "too short");
}

TEST(Safetensors, RejectsHeaderLengthBeyondFile) {
    auto bytes = serializeSafetensors(sampleFile());
    bytes[5] = 0x7f;
    expectRejected(bytes, "header length");
}

TEST(Safetensors, RejectsHeaderThatIsNotJson) {
    expectRejected(rawFile("{\"a\": [1, 2", 0), "not valid JSON");
}

TEST(Safetensors, RejectsOverlappingOffsets) {
    expectRejected(rawFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                           R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12),
                   "overlaps");
}

TEST(Safetensors, RejectsGapBetweenTensors) {
    expectRejected(rawFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                           R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})", 12),
                   "gap");
}

TEST(Safetensors, RejectsTrailingBytes) {
    expectRejected(rawFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 8), "trailing");
}

TEST(Safetensors, RejectsByteCountThatDisagreesWithDtypeSize) {
    // Two F64 elements need 16 bytes, the entry claims 8.
    expectRejected(rawFile(R"({"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}})", 8), "need 16");
}

TEST(Safetensors, RejectsUnknownDtype) {
    expectRejected(rawFile(R"({"a":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}})", 1), "unsupported dtype");
}

TEST(Safetensors, RejectsNegativeShape) {
    expectRejected(rawFile(R"({"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}})", 1), "non-negative");
}

TEST(Safetensors, RejectsNonStringMetadata) {
    expectRejected(rawFile(R"({"__metadata__":{"epochs":3}})", 0), "not a string");
}

TEST(Safetensors, MissingTensorLookupNamesTheTensor) {
    const auto file = sampleFile();
    try {
        file.at("levels.0.steps.0.actnorm.loc");
        FAIL();
    } catch (const SafetensorsError& e) {
        EXPECT_NE(std::string(e.what()).find("levels.0.steps.0.actnorm.loc"), std::string::npos);
    }
}

TEST(Safetensors, RandomCorruptionsNeverCrash) {
    const auto good = serializeSafetensors(sampleFile());
    std::mt19937 rng(std::random_device{}());
    int rejected = 0;
    for (int trial = 0; trial < 500; ++trial) {
        auto bytes = good;
        const auto pos = std::uniform_int_distribution<size_t>(0, bytes.size() - 1)(rng);
        bytes[pos] = static_cast<uint8_t>(rng());
        if (trial % 2) bytes.resize(std::uniform_int_distribution<size_t>(0, bytes.size())(rng));
        try {
            const auto parsed = parseSafetensors(bytes, "fuzz");
            for (const auto& [name, t] : parsed.tensors) {
                EXPECT_EQ(t.data.size(), dtypeSize(t.dtype) * static_cast<size_t>(t.numel()));
            }
        } catch (const SafetensorsError&) {
            ++rejected;
        }
    }
    EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace dpflow
