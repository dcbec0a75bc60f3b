#include "eval/latent_allocation_fit.h"

#include "flow/flow_model.h"
#include "image/image_reader.h"
#include "image/manifest.h"
#include "image/sha256.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace dpflow {
namespace {

constexpr std::size_t kEncodeBatch = 16;
constexpr double kVarianceFloor = 1e-8;

// Symmetric KL divergence between N(m0, v0) and N(m1, v1).
double symmetricGaussianDivergence(double m0, double v0, double m1, double v1) {
    v0 = std::max(v0, kVarianceFloor);
    v1 = std::max(v1, kVarianceFloor);
    const double d = m1 - m0;
    return 0.5 * (d * d * (1.0 / v0 + 1.0 / v1) + v0 / v1 + v1 / v0 - 2.0);
}

}  // namespace

CoordinateStatistics coordinateStatistics(const PublicLatents& data, std::size_t dimension) {
    const std::size_t count = data.latents.size();
    if (data.labels.size() != count || data.patients.size() != count)
        throw std::invalid_argument("every public latent needs a label and a patient");
    for (const auto& latent : data.latents)
        if (latent.size() != dimension)
            throw std::invalid_argument("a public latent has " + std::to_string(latent.size()) + " elements, not " +
                                        std::to_string(dimension));
    const std::size_t positives = static_cast<std::size_t>(std::count(data.labels.begin(), data.labels.end(), 1));
    if (positives < 2 || count - positives < 2)
        throw std::invalid_argument(fmt::format("the public data has {} image(s) with the finding and {} without: the "
                                                "allocation needs at least two of each",
                                                positives, count - positives));
    std::map<std::string, std::vector<std::size_t>> by_patient;
    for (std::size_t i = 0; i < count; ++i) by_patient[data.patients[i]].push_back(i);
    std::vector<std::vector<std::size_t>> repeated;
    std::size_t repeated_images = 0;
    for (auto& [patient, images] : by_patient)
        if (images.size() >= 2) {
            repeated_images += images.size();
            repeated.push_back(images);
        }
    if (repeated.size() < 2)
        throw std::invalid_argument("the identity weight needs at least two patients with two or more public images");
    const double k = static_cast<double>(repeated.size()), n = static_cast<double>(repeated_images);
    double sum_squares = 0.0;
    for (const auto& images : repeated) sum_squares += static_cast<double>(images.size() * images.size());
    const double n0 = (n - sum_squares / n) / (k - 1.0);  // the mean group size of the ICC(1) with unequal groups

    CoordinateStatistics statistics;
    std::vector<double>& finding = statistics.finding;
    std::vector<double>& identity = statistics.identity;
    finding.resize(dimension);
    identity.resize(dimension);
    for (std::size_t j = 0; j < dimension; ++j) {
        double s[2] = {0, 0}, q[2] = {0, 0}, c[2] = {0, 0};
        for (std::size_t i = 0; i < count; ++i) {
            const double x = data.latents[i][j];
            const int label = data.labels[i] == 1 ? 1 : 0;
            s[label] += x;
            q[label] += x * x;
            c[label] += 1.0;
        }
        const double m0 = s[0] / c[0], m1 = s[1] / c[1];
        const double v0 = (q[0] - c[0] * m0 * m0) / (c[0] - 1.0), v1 = (q[1] - c[1] * m1 * m1) / (c[1] - 1.0);
        finding[j] = symmetricGaussianDivergence(m0, v0, m1, v1);

        double grand = 0.0;
        for (const auto& images : repeated)
            for (std::size_t i : images) grand += data.latents[i][j];
        grand /= n;
        double between = 0.0, within = 0.0;
        for (const auto& images : repeated) {
            double mean = 0.0;
            for (std::size_t i : images) mean += data.latents[i][j];
            mean /= static_cast<double>(images.size());
            between += static_cast<double>(images.size()) * (mean - grand) * (mean - grand);
            for (std::size_t i : images) within += (data.latents[i][j] - mean) * (data.latents[i][j] - mean);
        }
        const double msb = between / (k - 1.0), msw = within / (n - k);
        const double icc = (msb - msw) / std::max(msb + (n0 - 1.0) * msw, kVarianceFloor);
        identity[j] = std::clamp(icc, 0.0, 1.0);
    }
    return statistics;
}

std::vector<GroupStatistics> groupStatistics(const PublicLatents& data, const LatentLayout& layout) {
    return groupStatistics(coordinateStatistics(data, static_cast<std::size_t>(layout.total)), layout);
}

std::vector<GroupStatistics> groupStatistics(const CoordinateStatistics& coordinates, const LatentLayout& layout) {
    if (coordinates.finding.size() != static_cast<std::size_t>(layout.total) || coordinates.identity.size() != coordinates.finding.size())
        throw std::invalid_argument("the coordinate statistics do not fit the latent layout");
    const std::vector<double>& finding = coordinates.finding;
    const std::vector<double>& identity = coordinates.identity;
    std::vector<GroupStatistics> groups;
    for (std::size_t l = 0; l < layout.levels.size(); ++l) {
        const LatentLevel& level = layout.levels[l];
        const std::size_t plane = static_cast<std::size_t>(level.height) * level.width;
        for (int c = 0; c < level.channels; ++c) {
            GroupStatistics g;
            g.level = static_cast<int>(l) + 1;
            g.channel = c;
            g.name = fmt::format("level {} channel {}", g.level, c);
            g.begin = static_cast<std::size_t>(level.offset) + static_cast<std::size_t>(c) * plane;
            g.end = g.begin + plane;
            for (std::size_t j = g.begin; j < g.end; ++j) {
                g.finding += finding[j];
                g.identity += identity[j];
            }
            g.finding /= static_cast<double>(plane);
            g.identity /= static_cast<double>(plane);
            groups.push_back(g);
        }
    }
    return groups;
}

LatentAllocation allocateBudget(const std::vector<GroupStatistics>& groups, const LatentBox& box, const AllocationScheme& scheme) {
    if (groups.empty()) throw std::invalid_argument("no latent groups to allocate over");
    if (!(scheme.exclude_below >= 0.0 && scheme.exclude_below < 1.0))
        throw std::invalid_argument("--exclude-below must be in [0, 1)");
    if (scheme.coarse_levels < 1) throw std::invalid_argument("--coarse-levels must be at least 1");
    int top_level = 0;
    for (const auto& g : groups) top_level = std::max(top_level, g.level);

    std::vector<double> delta(groups.size()), weight(groups.size()), budget(groups.size(), 0.0);
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const LatentBox part{{box.lo.begin() + groups[g].begin, box.lo.begin() + groups[g].end},
                             {box.hi.begin() + groups[g].begin, box.hi.begin() + groups[g].end}};
        delta[g] = part.l1Sensitivity();
        weight[g] = groups[g].finding / std::max(groups[g].identity, scheme.identity_floor);
    }
    LatentAllocation allocation;
    allocation.scheme = scheme.name;
    if (scheme.name == "weighted") {
        const double largest = *std::max_element(weight.begin(), weight.end());
        if (!(largest > 0.0)) throw std::invalid_argument("no group separates the finding on the public data: nothing to weight");
        for (std::size_t g = 0; g < groups.size(); ++g)
            if (weight[g] >= scheme.exclude_below * largest)
                budget[g] = std::pow(delta[g], 2.0 / 3.0) * std::cbrt(weight[g] * static_cast<double>(groups[g].end - groups[g].begin));
        allocation.objective = fmt::format(
            "minimise sum_g w_g n_g b_g^2 subject to sum_g Delta_g / b_g = eps, with w_g = P_g / max(I_g, {}) (P_g: the "
            "finding's symmetric KL divergence between label classes, I_g: the patients' intraclass correlation, both "
            "means over the group's coordinates on the public data); b_g proportional to (Delta_g / (w_g n_g))^(1/3); "
            "groups with w_g below {} of the largest drawn from the prior",
            scheme.identity_floor, scheme.exclude_below);
    } else if (scheme.name == "coarse") {
        const int first_budgeted = top_level - scheme.coarse_levels + 1;
        for (std::size_t g = 0; g < groups.size(); ++g)
            if (groups[g].level >= first_budgeted) budget[g] = delta[g];
        allocation.objective = fmt::format("one scale b over the coarsest {} level(s) (eps_g proportional to Delta_g); the "
                                           "finer levels drawn from the prior, a choice that depends on no data",
                                           scheme.coarse_levels);
    } else {
        throw std::invalid_argument("unknown allocation scheme '" + scheme.name + "': use weighted or coarse");
    }
    double total = 0.0;
    for (double b : budget) total += b;
    if (!(total > 0.0)) throw std::invalid_argument("the allocation leaves no group with budget");
    for (std::size_t g = 0; g < groups.size(); ++g) {
        LatentGroup group;
        group.name = groups[g].name;
        group.begin = groups[g].begin;
        group.end = groups[g].end;
        group.budget_share = budget[g] / total;
        group.finding = groups[g].finding;
        group.identity = groups[g].identity;
        allocation.groups.push_back(group);
    }
    return allocation;
}

LatentAllocation fitLatentAllocation(const AllocationFitSettings& settings,
                                     const std::function<void(std::size_t, std::size_t)>& progress,
                                     CoordinateStatistics* statistics) {
    for (const auto& split : settings.splits)
        if (split == "test")
            throw std::invalid_argument("the test split stands in for the private films being released: an allocation "
                                        "computed from them would make the budget's split depend on the released images "
                                        "and void the guarantee. Use public splits (train, val)");
    if (settings.splits.empty()) throw std::invalid_argument("give at least one public split");
    if (settings.label_column.empty()) throw std::invalid_argument("give the 0/1 finding column with --label-column");
    const FlowModel model = FlowModel::load(settings.model_path);
    if (!model.card().hasCalibration())
        throw std::invalid_argument("the model has no latent calibration: the allocation's Delta_g come from its box");
    const Manifest manifest = Manifest::read(settings.data_path);
    for (const std::string& column : {settings.label_column, settings.patient_column})
        if (!manifest.hasColumn(column)) throw std::invalid_argument(settings.data_path.string() + " has no column '" + column + "'");
    for (const auto& attribute : model.card().config.attributes)
        if (!manifest.hasColumn(attribute.name))
            throw std::invalid_argument(settings.data_path.string() + " has no column '" + attribute.name +
                                        "', an attribute of the model");
    std::vector<std::size_t> rows;
    for (const auto& split : settings.splits) {
        const auto in_split = manifest.rowsInSplit(split);
        rows.insert(rows.end(), in_split.begin(), in_split.end());
    }
    if (rows.empty()) throw std::invalid_argument("the public splits have no rows in " + settings.data_path.string());

    PublicLatents data;
    std::vector<std::string> hashes;
    for (std::size_t start = 0; start < rows.size(); start += kEncodeBatch) {
        const std::size_t stop = std::min(rows.size(), start + kEncodeBatch);
        std::vector<float> pixels;
        std::vector<AttributeValues> attributes;
        for (std::size_t r = start; r < stop; ++r) {
            const std::size_t row = rows[r];
            const std::string& label = manifest.value(row, settings.label_column);
            if (label != "0" && label != "1")
                throw std::invalid_argument(settings.data_path.string() + ": label '" + label + "' of " +
                                            manifest.value(row, "file") + " is not 0 or 1");
            const Image image = readImage(manifest.file(row));
            const std::vector<float> prepared = model.prepare(image);
            pixels.insert(pixels.end(), prepared.begin(), prepared.end());
            AttributeValues values;
            for (const auto& attribute : model.card().config.attributes) values[attribute.name] = manifest.value(row, attribute.name);
            attributes.push_back(values);
            data.labels.push_back(label == "1" ? 1 : 0);
            data.patients.push_back(manifest.value(row, settings.patient_column));
            hashes.push_back(sha256OfFile(manifest.file(row)));
        }
        const std::vector<float> latents = model.encodeBatch(pixels, attributes);
        const std::size_t dimension = static_cast<std::size_t>(model.layout().total);
        for (std::size_t b = 0; b < stop - start; ++b)
            data.latents.emplace_back(latents.begin() + b * dimension, latents.begin() + (b + 1) * dimension);
        if (progress) progress(stop, rows.size());
    }
    const CoordinateStatistics coordinates = coordinateStatistics(data, static_cast<std::size_t>(model.layout().total));
    const std::vector<GroupStatistics> groups = groupStatistics(coordinates, model.layout());
    if (statistics) *statistics = coordinates;
    LatentAllocation allocation =
        allocateBudget(groups, LatentBox{model.calibrationLo(), model.calibrationHi()}, settings.scheme);
    allocation.model_sha256 = sha256OfFile(settings.model_path);
    std::string splits;
    for (const auto& split : settings.splits) splits += (splits.empty() ? "" : "+") + split;
    allocation.public_data = fmt::format("split {} of {} ({} images, finding column '{}', patients '{}'; manifest SHA-256 {})",
                                         splits, settings.data_path.string(), rows.size(), settings.label_column,
                                         settings.patient_column, sha256OfFile(settings.data_path));
    std::sort(hashes.begin(), hashes.end());
    hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
    allocation.public_image_sha256 = hashes;
    return allocation;
}

}  // namespace dpflow
