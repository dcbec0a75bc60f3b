#include "phantom/radiograph_renderer.h"

#include "phantom/detector_model.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace dpflow {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kMarkerLineIntegral = 8.0;  // a lead letter stops nearly every photon: white

struct PatientBox {
    double x0, y0, x1, y1;
};

// Maps pixels to the patient frame and back. The patient is rotated, scaled and shifted on
// the detector; every pixel's patient coordinates are computed once per image.
class ProjectionGrid {
public:
    ProjectionGrid(int size, const Acquisition& a)
        : size_(size), pixel_mm_(a.field_of_view_mm / size), cos_(std::cos(a.rotation_deg * kPi / 180)),
          sin_(std::sin(a.rotation_deg * kPi / 180)), scale_(a.scale), shift_x_(a.shift_x_mm), shift_y_(a.shift_y_mm),
          x_(static_cast<std::size_t>(size) * size), y_(x_.size()) {
        for (int row = 0; row < size; ++row)
            for (int col = 0; col < size; ++col) {
                const double dx = ((col + 0.5 - size / 2.0) * pixel_mm_ - shift_x_) / scale_;
                const double dy = ((row + 0.5 - size / 2.0) * pixel_mm_ - shift_y_) / scale_;
                x_[index(col, row)] = cos_ * dx + sin_ * dy;
                y_[index(col, row)] = -sin_ * dx + cos_ * dy;
            }
    }

    int size() const { return size_; }
    double pixelMm() const { return pixel_mm_; }
    std::size_t index(int col, int row) const { return static_cast<std::size_t>(row) * size_ + col; }
    double x(std::size_t i) const { return x_[i]; }
    double y(std::size_t i) const { return y_[i]; }

    /// Calls fn(pixel index, x, y) for every pixel whose centre may fall in the patient box.
    template <typename Fn>
    void forEachPixel(const PatientBox& box, Fn&& fn) const {
        double c0 = std::numeric_limits<double>::max(), r0 = c0, c1 = -c0, r1 = -c0;
        for (double px : {box.x0, box.x1})
            for (double py : {box.y0, box.y1}) {
                const double col = (scale_ * (cos_ * px - sin_ * py) + shift_x_) / pixel_mm_ + size_ / 2.0 - 0.5;
                const double row = (scale_ * (sin_ * px + cos_ * py) + shift_y_) / pixel_mm_ + size_ / 2.0 - 0.5;
                c0 = std::min(c0, col), c1 = std::max(c1, col), r0 = std::min(r0, row), r1 = std::max(r1, row);
            }
        const int col_begin = std::max(0, static_cast<int>(std::floor(c0))), col_end = std::min(size_ - 1, static_cast<int>(std::ceil(c1)));
        const int row_begin = std::max(0, static_cast<int>(std::floor(r0))), row_end = std::min(size_ - 1, static_cast<int>(std::ceil(r1)));
        for (int row = row_begin; row <= row_end; ++row)
            for (int col = col_begin; col <= col_end; ++col) {
                const std::size_t i = index(col, row);
                fn(i, x_[i], y_[i]);
            }
    }

private:
    int size_;
    double pixel_mm_, cos_, sin_, scale_, shift_x_, shift_y_;
    std::vector<double> x_, y_;
};

// Half the chord of the ellipsoid at (x, y) relative to its half depth, squared: > 0 inside.
double ellipsoidProfile(const EllipsoidBody& e, double x, double y) {
    const double dx = x - e.centre.x, dy = y - e.centre.y;
    const double c = std::cos(e.angle_rad), s = std::sin(e.angle_rad);
    const double u = (c * dx + s * dy) / e.half_width, v = (-s * dx + c * dy) / e.half_height;
    const double g = v < 0 || e.lower_exponent == 2 ? v * v : std::pow(std::abs(v), e.lower_exponent);
    return 1 - u * u - g;
}

PatientBox ellipsoidBox(const EllipsoidBody& e) {
    const double c = std::abs(std::cos(e.angle_rad)), s = std::abs(std::sin(e.angle_rad));
    const double hx = c * e.half_width + s * e.half_height, hy = s * e.half_width + c * e.half_height;
    return {e.centre.x - hx, e.centre.y - hy, e.centre.x + hx, e.centre.y + hy};
}

void projectEllipsoid(const ProjectionGrid& grid, const EllipsoidBody& e, std::vector<float>& L) {
    grid.forEachPixel(ellipsoidBox(e), [&](std::size_t i, double x, double y) {
        const double t = ellipsoidProfile(e, x, y);
        if (t > 0) L[i] += static_cast<float>(e.mu * 2 * e.half_depth * std::sqrt(t));
    });
}

void projectBody(const ProjectionGrid& grid, const BodyOutline& body, std::vector<float>& L) {
    for (std::size_t i = 0; i < L.size(); ++i) {
        const double y = grid.y(i), x = grid.x(i) / body.halfWidthAt(y);
        const double t = 1 - x * x;
        if (t > 0) L[i] += static_cast<float>(attenuation::kSoftTissue * 2 * body.halfDepthAt(y) * std::sqrt(t));
    }
}

// Length of the lung along the beam at (x, y): its z-interval minus the heart and mediastinum
// and minus the abdomen under the dome, which leaves the posterior costophrenic recess.
double lungChord(const LungBody& lung, double x, double y) {
    const LungGeometry& g = lung.geometry;
    EllipsoidBody shape;
    shape.centre = {g.centre_x, g.centre_y, g.centre_z};
    shape.half_width = g.half_width;
    shape.half_height = g.half_height;
    shape.half_depth = g.half_depth;
    shape.lower_exponent = g.base_exponent;
    const double t = ellipsoidProfile(shape, x, y);
    if (t <= 0) return 0;
    const double lo = g.centre_z - g.half_depth * std::sqrt(t), hi = g.centre_z + g.half_depth * std::sqrt(t);

    std::array<std::pair<double, double>, 8> holes;
    std::size_t count = 0;
    const double dx = x - g.dome_x, q = y - (g.dome_y + g.dome_kx * dx * dx);
    if (q > 0) {
        const double h = std::sqrt(q / g.dome_kz);
        holes[count++] = {g.dome_z - h, g.dome_z + h};
    }
    for (const EllipsoidBody& cut : lung.cutouts) {
        const double tc = ellipsoidProfile(cut, x, y);
        if (tc > 0 && count < holes.size()) {
            const double h = cut.half_depth * std::sqrt(tc);
            holes[count++] = {cut.centre.z - h, cut.centre.z + h};
        }
    }
    // At most 8: sorted by insertion (std::sort on the array's prefix trips GCC 12's -Warray-bounds).
    for (std::size_t i = 1; i < count; ++i)
        for (std::size_t j = i; j > 0 && holes[j] < holes[j - 1]; --j) std::swap(holes[j], holes[j - 1]);
    double length = 0, cursor = lo;
    for (std::size_t k = 0; k < count && cursor < hi; ++k) {
        if (holes[k].first > cursor) length += std::min(holes[k].first, hi) - cursor;
        cursor = std::max(cursor, holes[k].second);
    }
    if (cursor < hi) length += hi - cursor;
    return length;
}

PatientBox lungBox(const LungGeometry& g) {
    return {g.centre_x - g.half_width, g.apex_y, g.centre_x + g.half_width, g.centre_y + g.half_height};
}

// Per pixel, the nearest segment of the tube being drawn: distance squared and obliquity.
// One scratch raster serves all tubes of an image; only touched pixels are reset.
class TubeScratch {
public:
    explicit TubeScratch(std::size_t pixels) : distance2_(pixels, kFar), obliquity_(pixels, 1.0f) {}

    void offer(std::size_t i, float distance2, float obliquity) {
        if (distance2_[i] == kFar) touched_.push_back(i);
        if (distance2 < distance2_[i]) {
            distance2_[i] = distance2;
            obliquity_[i] = obliquity;
        }
    }

    template <typename Fn>
    void drain(Fn&& fn) {
        for (std::size_t i : touched_) {
            fn(i, distance2_[i], obliquity_[i]);
            distance2_[i] = kFar;
        }
        touched_.clear();
    }

private:
    static constexpr float kFar = std::numeric_limits<float>::max();
    std::vector<float> distance2_, obliquity_;
    std::vector<std::size_t> touched_;
};

// Tubes are rasterised segment by segment, keeping per pixel the nearest segment; the chord
// of a cylinder seen at obliquity sin(a) from a ray passing at distance d from its axis is
// 2 sqrt(r^2 - d^2) / sin(a).
void projectTube(const ProjectionGrid& grid, const TubeBody& tube, TubeScratch& scratch, std::vector<float>& L) {
    const double r = tube.radius, r2 = r * r;
    for (std::size_t k = 0; k + 1 < tube.path.size(); ++k) {
        const Point3 &a = tube.path[k], &b = tube.path[k + 1];
        const double ex = b.x - a.x, ey = b.y - a.y, ez = b.z - a.z;
        const double planar2 = ex * ex + ey * ey, length = std::sqrt(planar2 + ez * ez);
        const auto obliquity = static_cast<float>(length > 0 ? std::max(std::sqrt(planar2) / length, 0.45) : 1.0);
        const PatientBox seg{std::min(a.x, b.x) - r, std::min(a.y, b.y) - r, std::max(a.x, b.x) + r, std::max(a.y, b.y) + r};
        grid.forEachPixel(seg, [&](std::size_t i, double x, double y) {
            const double t = planar2 > 0 ? std::clamp(((x - a.x) * ex + (y - a.y) * ey) / planar2, 0.0, 1.0) : 0.0;
            const double dx = x - (a.x + t * ex), dy = y - (a.y + t * ey), d2 = dx * dx + dy * dy;
            if (d2 < r2) scratch.offer(i, static_cast<float>(d2), obliquity);
        });
    }
    const double ri = r * tube.marrow_fraction, ri2 = ri * ri;
    scratch.drain([&](std::size_t i, float d2, float obliquity) {
        double value = tube.mu * 2 * std::sqrt(std::max(0.0, r2 - d2));
        if (d2 < ri2) value += (tube.marrow_mu - tube.mu) * 2 * std::sqrt(ri2 - d2);
        L[i] += static_cast<float>(value / obliquity);
    });
}

// Draws `text` into a raster covering only its own box, and hands each covered image pixel
// with its coverage (0..1] to fn.
template <typename Fn>
PixelBox drawText(const std::string& text, double x, double y, double height, int size, Fn&& fn) {
    const PixelBox box = BitmapFont::measure(text, x, y, height);
    std::vector<float> coverage(static_cast<std::size_t>(box.width) * box.height, 0.0f);
    BitmapFont::rasterize(text, x - box.x, y - box.y, height, coverage, box.width, box.height);
    for (int row = 0; row < box.height; ++row)
        for (int col = 0; col < box.width; ++col) {
            const int ix = box.x + col, iy = box.y + row;
            const float c = std::min(coverage[static_cast<std::size_t>(row) * box.width + col], 1.0f);
            if (c > 0 && ix >= 0 && iy >= 0 && ix < size && iy < size) fn(static_cast<std::size_t>(iy) * size + ix, c);
        }
    PixelBox clipped;
    clipped.x = std::clamp(box.x, 0, size);
    clipped.y = std::clamp(box.y, 0, size);
    clipped.width = std::clamp(box.x + box.width, 0, size) - clipped.x;
    clipped.height = std::clamp(box.y + box.height, 0, size) - clipped.y;
    return clipped;
}

void markMask(std::vector<std::uint8_t>& mask, std::size_t i, int value) {
    mask[i] = std::max<std::uint8_t>(mask[i], static_cast<std::uint8_t>(value));
}

void projectPathology(const ProjectionGrid& grid, const ThoraxScene& scene,
                      const std::array<std::vector<float>, 2>& lung_chords, std::vector<float>& L,
                      std::vector<std::uint8_t>& mask) {
    const Pathology& p = scene.pathology;
    if (p.consolidation.present && !p.consolidation.blobs.empty()) {
        const Consolidation& c = p.consolidation;
        const auto& chord = lung_chords[c.side < 0 ? 0 : 1];
        PatientBox box{1e9, 1e9, -1e9, -1e9};
        for (const OpacityBlob& b : c.blobs)
            box = {std::min(box.x0, b.x - 3 * b.sigma), std::min(box.y0, b.y - 3 * b.sigma),
                   std::max(box.x1, b.x + 3 * b.sigma), std::max(box.y1, b.y + 3 * b.sigma)};
        grid.forEachPixel(box, [&](std::size_t i, double x, double y) {
            if (chord[i] <= 0) return;
            double sum = 0;
            for (const OpacityBlob& b : c.blobs)
                sum += b.weight * std::exp(-((x - b.x) * (x - b.x) + (y - b.y) * (y - b.y)) / (2 * b.sigma * b.sigma));
            const double filled = std::min(1.0, sum);
            L[i] += static_cast<float>(c.density * filled * chord[i] * attenuation::kFluidInLung);
            if (filled >= 0.3 && chord[i] >= 5) markMask(mask, i, kMaskConsolidation);
        });
    }
    if (p.effusion.present) {
        const LungGeometry& g = scene.lungs[p.effusion.side < 0 ? 0 : 1].geometry;
        const auto& chord = lung_chords[p.effusion.side < 0 ? 0 : 1];
        const double lateral_x = g.centre_x + g.side * g.half_width;
        const double base_y = domeSurfaceY(g, lateral_x, g.dome_z);
        grid.forEachPixel(lungBox(g), [&](std::size_t i, double x, double y) {
            if (chord[i] <= 0) return;
            // A meniscus: the fluid climbs higher along the lateral chest wall.
            const double lateral = std::clamp(0.5 + 0.5 * g.side * (x - g.centre_x) / g.half_width, 0.0, 1.0);
            const double top = base_y - p.effusion.height_mm * (0.45 + 0.55 * lateral * lateral);
            const double filled = std::clamp((y - top) / 10.0, 0.0, 1.0);
            L[i] += static_cast<float>(filled * chord[i] * attenuation::kFluidInLung);
            if (filled >= 0.5 && chord[i] >= 2) markMask(mask, i, kMaskEffusion);
        });
    }
    for (const Nodule& n : p.nodules) {
        const auto& chord = lung_chords[n.x < 0 ? 0 : 1];
        grid.forEachPixel({n.x - n.radius, n.y - n.radius, n.x + n.radius, n.y + n.radius},
                          [&](std::size_t i, double x, double y) {
                              const double d2 = (x - n.x) * (x - n.x) + (y - n.y) * (y - n.y);
                              if (d2 >= n.radius * n.radius || chord[i] <= 0) return;
                              L[i] += static_cast<float>(attenuation::kFluidInLung * 2 * std::sqrt(n.radius * n.radius - d2));
                              markMask(mask, i, kMaskNodule);
                          });
    }
}

}  // namespace

RenderedRadiograph renderRadiograph(const ThoraxScene& scene, const Acquisition& acquisition,
                                    const std::string& text, int text_corner, std::uint64_t noise_seed,
                                    const RenderOptions& options) {
    const int size = options.size;
    if (size < kMinPhantomSize || size > kMaxPhantomSize)
        throw std::invalid_argument("phantom image size must be between " + std::to_string(kMinPhantomSize) + " and " +
                                    std::to_string(kMaxPhantomSize) + " pixels, got " + std::to_string(size));
    const ProjectionGrid grid(size, acquisition);
    const std::size_t n = static_cast<std::size_t>(size) * size;
    std::vector<float> L(n, 0.0f);
    RenderedRadiograph result;
    result.mask.assign(n, 0);

    projectBody(grid, scene.body, L);
    std::array<std::vector<float>, 2> lung_chords{std::vector<float>(n, 0.0f), std::vector<float>(n, 0.0f)};
    for (int side = 0; side < 2; ++side) {
        const LungBody& lung = scene.lungs[side];
        grid.forEachPixel(lungBox(lung.geometry), [&](std::size_t i, double x, double y) {
            lung_chords[side][i] = static_cast<float>(lungChord(lung, x, y));
            L[i] += static_cast<float>(attenuation::kLungInTissue * lung_chords[side][i]);
        });
    }
    for (const EllipsoidBody& e : scene.ellipsoids) projectEllipsoid(grid, e, L);
    TubeScratch scratch(n);
    for (const TubeBody& t : scene.tubes) projectTube(grid, t, scratch, L);
    projectPathology(grid, scene, lung_chords, L, result.mask);

    if (options.place_marker) {
        result.marker_box = drawText(std::string(1, acquisition.marker_side), acquisition.marker_u * size,
                                     acquisition.marker_v * size, 0.055 * size, size, [&](std::size_t i, float c) {
                                         L[i] += static_cast<float>(kMarkerLineIntegral) * c;
                                     });
    }

    std::vector<float> display = exposeAndProcess(L, size, grid.pixelMm(), acquisition, noise_seed);

    if (options.burn_in_text && !text.empty()) {
        // Small images get smaller text rather than text running off the image.
        const double margin = 0.025 * size;
        const double fit = (size - 2 * margin) * 7.0 / (6.0 * static_cast<double>(text.size()));
        const double height = std::min(0.026 * size, fit);
        const PixelBox probe = BitmapFont::measure(text, 0, 0, height);
        const double x = (text_corner % 2 == 0) ? margin : size - margin - probe.width;
        const double y = (text_corner < 2) ? margin : size - margin - probe.height;
        result.text_box = drawText(text, x, y, height, size, [&](std::size_t i, float c) {
            display[i] = display[i] * (1 - c) + c;  // burned in as full white
        });
    }

    Image& image = result.image;
    image = makeImage(size, size);
    for (std::size_t i = 0; i < n; ++i) image.pixels[i] = std::round(display[i] * 4095.0f) / 4095.0f;
    image.stored_bits = 12;
    image.pixel_spacing_mm = std::array<double, 2>{grid.pixelMm(), grid.pixelMm()};
    return result;
}

}  // namespace dpflow
