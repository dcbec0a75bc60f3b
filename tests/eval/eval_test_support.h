#pragma once

// Synthetic data for the evaluation tests: small images where the answer is known.

#include "eval/labelled_images.h"
#include "image/image.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace dpflow::test {

/// `count` size x size images of background noise; the positive half (alternating labels)
/// carries a bright 4x4 blob at a random position: an easy task a tiny CNN must solve.
inline LabelledImages blobTask(int count, int size, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> noise(0.2f, 0.5f);
    std::uniform_int_distribution<int> position(2, size - 6);
    LabelledImages data;
    for (int i = 0; i < count; ++i) {
        Image image = makeImage(size, size);
        for (auto& v : image.pixels) v = noise(rng);
        const int label = i % 2;
        if (label == 1) {
            const int x0 = position(rng), y0 = position(rng);
            for (int y = y0; y < y0 + 4; ++y)
                for (int x = x0; x < x0 + 4; ++x) image.at(x, y) = 0.95f;
        }
        data.images.push_back(std::move(image));
        data.labels.push_back(label);
    }
    return data;
}

/// An image of independent uniform noise in [0,1].
inline Image noiseImage(int size, std::mt19937_64& rng) {
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    Image image = makeImage(size, size);
    for (auto& v : image.pixels) v = uniform(rng);
    return image;
}

}  // namespace dpflow::test
