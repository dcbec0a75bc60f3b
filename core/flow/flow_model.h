#pragma once

// Torch-free facade over a trained flow: what the UI, the privacy mechanisms and the CLI use to
// encode an image to its standardised latent and decode a (noised) latent back. No LibTorch
// types here, so Qt translation units can include it.

#include "flow/flow_config.h"
#include "flow/model_card.h"
#include "image/image.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace dpflow {

/// A loaded flow model on its device, prepared for fast repeated decoding (no autograd,
/// inverse 1x1 convolutions computed in float64 and folded with ActNorm, cached). Calls are
/// serialised internally, so one instance may be shared between threads.
class FlowModel {
public:
    /// Loads a weights file written by `dpflow train` (safetensors with the model card in its
    /// metadata). `device` is "cpu", "cuda", or empty for CUDA when available, else CPU.
    /// Throws SafetensorsError for a malformed, truncated or mismatched file, and
    /// std::invalid_argument for an unavailable device.
    static FlowModel load(const std::filesystem::path& path, const std::string& device = "");

    FlowModel(FlowModel&&) noexcept;
    FlowModel& operator=(FlowModel&&) noexcept;
    ~FlowModel();

    const ModelCard& card() const;
    const LatentLayout& layout() const;
    std::string device() const;  ///< "cpu" or "cuda"

    /// The image brought to the model's size by the card's fit mode (display values, [0,1]).
    std::vector<float> prepare(const Image& image) const;

    /// Standardised latent u (layout().total elements) of `pixels` (size*size display values
    /// in [0,1], e.g. from prepare()) under `attributes`. Throws std::invalid_argument for a
    /// wrong size, non-finite values or attributes the model does not know.
    std::vector<float> encode(const std::vector<float>& pixels, const AttributeValues& attributes) const;

    /// Batch form of encode: `batch` images of size*size values back to back.
    std::vector<float> encodeBatch(const std::vector<float>& pixels, const std::vector<AttributeValues>& attributes) const;

    /// Image (size*size display values, clamped to [0,1]) for the latent `u` under `attributes`;
    /// the exact inverse of encode (up to float error) for unchanged u and attributes.
    /// Throws std::invalid_argument for a wrong size, non-finite values or unknown attributes.
    std::vector<float> decode(const std::vector<float>& u, const AttributeValues& attributes) const;

    /// Batch form of decode: latents back to back, one attribute set per latent.
    std::vector<float> decodeBatch(const std::vector<float>& u, const std::vector<AttributeValues>& attributes) const;

    /// Multiply-adds one decode executes on this device: on the CPU the CpuGlow's (it never
    /// convolves the constant attribute channels), on CUDA decodeMultiplyAdds(card().config).
    std::int64_t executedDecodeMultiplyAdds() const;

    /// Per-element latent bounds from the model file (see privacy-semantics.md, M1); empty when
    /// the model has no calibration (card().hasCalibration() is false).
    const std::vector<float>& calibrationLo() const;
    const std::vector<float>& calibrationHi() const;

private:
    struct Impl;
    explicit FlowModel(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// Replaces the notes of a stored model's card (ModelCard::notes), keeping every tensor bit for
/// bit: for recording after the fact where and how a model was trained. Rewrites the weights
/// file atomically and the card JSON beside it. Throws SafetensorsError.
void setModelNotes(const std::filesystem::path& path, const std::string& notes);

}  // namespace dpflow
