#include "eval/reidentification.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

namespace dpflow {
namespace {

void checkFeatures(const IdentityFeatures& set, const char* name, std::size_t& length) {
    if (set.features.empty()) throw std::invalid_argument(fmt::format("re-identification: the {} is empty", name));
    if (set.features.size() != set.identities.size())
        throw std::invalid_argument(fmt::format("re-identification: the {} has {} vectors but {} identities", name,
                                                set.features.size(), set.identities.size()));
    if (length == 0) length = set.features.front().size();
    for (const auto& f : set.features)
        if (f.size() != length || length == 0)
            throw std::invalid_argument(fmt::format("re-identification: feature vectors of the {} differ in length "
                                                    "({} vs {})", name, f.size(), length));
}

std::vector<std::vector<float>> unitVectors(const std::vector<std::vector<float>>& features) {
    auto result = features;
    for (auto& f : result) {
        double norm = 0.0;
        for (const float v : f) norm += static_cast<double>(v) * v;
        norm = std::sqrt(norm);
        if (norm > 0.0)
            for (auto& v : f) v = static_cast<float>(v / norm);
    }
    return result;
}

double similarityOf(const std::vector<float>& a, const std::vector<float>& b, FeatureSimilarity similarity) {
    double sum = 0.0;
    if (similarity == FeatureSimilarity::Cosine) {
        for (size_t i = 0; i < a.size(); ++i) sum += static_cast<double>(a[i]) * b[i];
        return sum;
    }
    for (size_t i = 0; i < a.size(); ++i) {
        const double d = static_cast<double>(a[i]) - b[i];
        sum += d * d;
    }
    return -std::sqrt(sum);
}

std::string whereOf(const Manifest& manifest) { return manifest.baseDir().string(); }

// The expected top-1 rate of `guesses` if each probe's identity were drawn from the probes of its
// stratum (reidentification.h, chance_given_disclosed).
double chanceGivenDisclosed(const std::vector<std::size_t>& guesses, const std::vector<std::string>& gallery_ids,
                            const std::vector<std::string>& probe_ids, const std::vector<int>& probe_strata) {
    std::map<int, std::size_t> probes_in;
    std::map<std::pair<int, std::string>, std::size_t> probes_of;
    for (std::size_t i = 0; i < probe_ids.size(); ++i) {
        ++probes_in[probe_strata[i]];
        ++probes_of[{probe_strata[i], probe_ids[i]}];
    }
    double sum = 0.0;
    for (std::size_t i = 0; i < guesses.size(); ++i) {
        if (guesses[i] >= gallery_ids.size()) continue;  // matched nobody
        const auto found = probes_of.find({probe_strata[i], gallery_ids[guesses[i]]});
        if (found != probes_of.end())
            sum += static_cast<double>(found->second) / static_cast<double>(probes_in[probe_strata[i]]);
    }
    return sum / static_cast<double>(guesses.size());
}

}  // namespace

ReidentificationResult matchIdentities(const IdentityFeatures& gallery, const IdentityFeatures& probes,
                                       FeatureSimilarity similarity, const DisclosedStrata* disclosed) {
    std::size_t length = 0;
    checkFeatures(gallery, "gallery", length);
    checkFeatures(probes, "probe set", length);
    std::set<std::string> gallery_ids;
    for (const auto& id : gallery.identities)
        if (!gallery_ids.insert(id).second)
            throw std::invalid_argument("re-identification: identity '" + id + "' appears twice in the gallery");
    if (gallery_ids.size() < 2) throw std::invalid_argument("re-identification: the gallery needs at least two identities");
    if (probes.features.size() < 2)
        throw std::invalid_argument("re-identification: at least two probes are needed for a verification AUC");
    for (const auto& id : probes.identities)
        if (gallery_ids.count(id) == 0)
            throw std::invalid_argument("re-identification: probe identity '" + id + "' is not in the gallery");
    if (disclosed && (disclosed->gallery.size() != gallery.identities.size() ||
                      disclosed->probes.size() != probes.identities.size()))
        throw std::invalid_argument(fmt::format("re-identification: {} gallery and {} probe strata for {} gallery entries and "
                                                "{} probes", disclosed->gallery.size(), disclosed->probes.size(),
                                                gallery.identities.size(), probes.identities.size()));

    const bool cosine = similarity == FeatureSimilarity::Cosine;
    const auto g = cosine ? unitVectors(gallery.features) : gallery.features;
    const auto p = cosine ? unitVectors(probes.features) : probes.features;
    ReidentificationResult result;
    result.gallery_size = g.size();
    result.probes = p.size();
    result.chance_rate = 1.0 / static_cast<double>(g.size());
    std::vector<double> scores;
    std::vector<int> genuine;
    scores.reserve(p.size() * g.size());
    genuine.reserve(p.size() * g.size());
    double lowest_score = INFINITY;
    for (size_t i = 0; i < p.size(); ++i) {
        size_t best = 0;
        double best_score = -INFINITY;
        for (size_t j = 0; j < g.size(); ++j) {
            const double s = similarityOf(p[i], g[j], similarity);
            scores.push_back(s);
            genuine.push_back(gallery.identities[j] == probes.identities[i] ? 1 : 0);
            if (std::isfinite(s)) lowest_score = std::min(lowest_score, s);
            if (s > best_score) {
                best_score = s;
                best = j;
            }
        }
        // A probe whose features are not finite (e.g. the flow's encoding of a privatized film
        // overflowed) matches nobody: no hit, and its scores rank below every real one.
        const bool hit = std::isfinite(best_score) && gallery.identities[best] == probes.identities[i];
        result.hit.push_back(hit);
        result.top1.push_back(std::isfinite(best_score) ? best : g.size());
        if (hit) ++result.top1_hits;
    }
    const double unmatched = std::isfinite(lowest_score) ? lowest_score - 1.0 : 0.0;
    for (double& s : scores)
        if (!std::isfinite(s)) s = unmatched;
    result.top1_rate = static_cast<double>(result.top1_hits) / static_cast<double>(p.size());
    result.top1_interval = clopperPearsonInterval(result.top1_hits, result.probes);
    result.verification = delongAuc(scores, genuine);
    result.tpr_at_fpr_1pct = truePositiveRateAt(scores, genuine, 0.01);
    result.tpr_at_fpr_01pct = truePositiveRateAt(scores, genuine, 0.001);
    if (disclosed) {
        result.chance_given_disclosed = chanceGivenDisclosed(result.top1, gallery.identities, probes.identities, disclosed->probes);
        // Pair strata (gallery entry, probe's stratum), numbered densely; scores are probe-major.
        std::map<std::pair<std::size_t, int>, int> pair_strata;
        std::vector<int> strata;
        strata.reserve(scores.size());
        for (size_t i = 0; i < p.size(); ++i)
            for (size_t j = 0; j < g.size(); ++j)
                strata.push_back(
                    pair_strata.emplace(std::pair{j, disclosed->probes[i]}, static_cast<int>(pair_strata.size())).first->second);
        try {
            result.verification_within_disclosed = stratifiedDelongAuc(scores, genuine, strata);
        } catch (const std::invalid_argument&) {
            // No gallery entry has two genuine and two impostor probes in one stratum: nothing to judge.
        }
    }
    return result;
}

SweepAttackFigures attackFiguresOf(const ReidentificationResult& result) {
    SweepAttackFigures figures;
    figures.top1_rate = result.top1_rate;
    figures.top1_hits = result.top1_hits;
    figures.top1_ci_low = result.top1_interval.low;
    figures.top1_ci_high = result.top1_interval.high;
    figures.chance_rate = result.chance_rate;
    figures.verification_auc = result.verification.auc;
    figures.verification_ci_low = result.verification.ci_low;
    figures.verification_ci_high = result.verification.ci_high;
    figures.tpr_at_fpr_1pct = result.tpr_at_fpr_1pct;
    figures.tpr_at_fpr_01pct = result.tpr_at_fpr_01pct;
    figures.probes = result.probes;
    figures.chance_given_disclosed = result.chance_given_disclosed;
    if (result.verification_within_disclosed) {
        figures.verification_within_disclosed_auc = result.verification_within_disclosed->auc;
        figures.verification_within_disclosed_ci_low = result.verification_within_disclosed->ci_low;
        figures.verification_within_disclosed_ci_high = result.verification_within_disclosed->ci_high;
    }
    return figures;
}

ReidentificationProtocol identificationProtocol(const Manifest& manifest, const std::string& patient_column,
                                                const std::string& split) {
    auto protocol = linkageProtocol(manifest, patient_column, split);
    std::set<std::size_t> gallery(protocol.gallery_rows.begin(), protocol.gallery_rows.end());
    protocol.probe_rows.clear();
    for (const auto row : manifest.rowsInSplit(split))
        if (gallery.count(row) == 0) protocol.probe_rows.push_back(row);
    if (protocol.probe_rows.empty())
        throw ManifestError(fmt::format("manifest in {}: no patient has a second image in split '{}' to use as a probe",
                                        whereOf(manifest), split));
    return protocol;
}

ReidentificationProtocol linkageProtocol(const Manifest& manifest, const std::string& patient_column,
                                         const std::string& split) {
    if (!manifest.hasColumn(patient_column))
        throw ManifestError(fmt::format("manifest in {} has no column '{}' (columns: {})", whereOf(manifest),
                                        patient_column, fmt::join(manifest.columns(), ", ")));
    ReidentificationProtocol protocol;
    std::set<std::string> seen;
    for (const auto row : manifest.rowsInSplit(split))
        if (seen.insert(manifest.value(row, patient_column)).second) protocol.gallery_rows.push_back(row);
    if (protocol.gallery_rows.empty())
        throw ManifestError(fmt::format("manifest in {} has no rows in split '{}'", whereOf(manifest), split));
    protocol.probe_rows = protocol.gallery_rows;
    return protocol;
}

}  // namespace dpflow
