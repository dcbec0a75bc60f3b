#include "privacy/attribute_policy.h"

#include "privacy/randomized_response.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

namespace dpflow {

const char* const kUniformPriorDescription = "uniform prior (the model card has no training frequencies)";

namespace {

const AttributeTreatment& treatmentOf(const AttributePolicy& policy, const std::string& name) {
    const auto it = std::find_if(policy.begin(), policy.end(), [&](const AttributeTreatment& t) { return t.name == name; });
    if (it == policy.end())
        throw std::invalid_argument("attribute '" + name + "' is neither kept nor protected: add --keep " + name +
                                    " or --protect " + name + ":EPS");
    return *it;
}

int valueIndex(const FlowAttribute& attribute, const std::string& value) {
    const auto it = std::find(attribute.values.begin(), attribute.values.end(), value);
    if (it == attribute.values.end())
        throw std::invalid_argument("attribute '" + attribute.name + "' has no value '" + value + "'");
    return static_cast<int>(it - attribute.values.begin());
}

}  // namespace

AttributePolicy makeAttributePolicy(const std::vector<std::string>& keep, const std::vector<std::string>& protect) {
    AttributePolicy policy;
    for (const auto& name : keep) policy.push_back({name, false, 0.0});
    for (const auto& item : protect) {
        const auto colon = item.rfind(':');
        if (colon == std::string::npos || colon == 0)
            throw std::invalid_argument("--protect expects NAME:EPS (e.g. sex:1, or sex:0 for a prior draw), got '" + item + "'");
        double epsilon = 0.0;
        try {
            std::size_t used = 0;
            epsilon = std::stod(item.substr(colon + 1), &used);
            if (used != item.size() - colon - 1) throw std::invalid_argument("trailing characters");
        } catch (const std::exception&) {
            throw std::invalid_argument("--protect " + item + ": '" + item.substr(colon + 1) + "' is not a number");
        }
        if (!(epsilon >= 0.0) || !std::isfinite(epsilon))
            throw std::invalid_argument("--protect " + item + ": eps must be a non-negative finite number");
        policy.push_back({item.substr(0, colon), true, epsilon});
    }
    return policy;
}

void validateAttributePolicy(const AttributePolicy& policy, const std::vector<FlowAttribute>& attributes) {
    std::set<std::string> seen;
    for (const auto& treatment : policy) {
        if (!seen.insert(treatment.name).second)
            throw std::invalid_argument("attribute '" + treatment.name + "' is named more than once in --keep/--protect");
        const bool known = std::any_of(attributes.begin(), attributes.end(),
                                       [&](const FlowAttribute& a) { return a.name == treatment.name; });
        if (!known) throw std::invalid_argument("the model has no attribute '" + treatment.name + "'");
    }
    for (const auto& attribute : attributes) treatmentOf(policy, attribute.name);
}

double protectedAttributeEpsilon(const AttributePolicy& policy) {
    double total = 0.0;
    for (const auto& treatment : policy)
        if (treatment.protect) total += treatment.epsilon;
    return total;
}

ReleasedAttribute describeAttributeTreatment(const AttributePolicy& policy, const FlowAttribute& attribute) {
    const auto& treatment = treatmentOf(policy, attribute.name);
    ReleasedAttribute described;
    described.name = attribute.name;
    described.protect = treatment.protect;
    described.categories = static_cast<int>(attribute.values.size());
    if (!treatment.protect) {
        described.method = "disclosed";
    } else if (treatment.epsilon > 0.0) {
        described.method = "randomized response";
        described.epsilon = treatment.epsilon;
        described.keep_probability = randomizedResponseKeepProbability(described.categories, treatment.epsilon);
    } else {
        described.method = "prior";
        described.prior = kUniformPriorDescription;
        described.keep_probability = 1.0 / described.categories;
    }
    return described;
}

int SecureAttributeDraw::randomizedResponse(std::size_t, int true_index, int count, double epsilon) {
    return dpflow::randomizedResponse(true_index, count, epsilon, source_);
}

int SecureAttributeDraw::uniformPrior(std::size_t, int count) {
    return drawFromPrior(std::vector<double>(static_cast<std::size_t>(count), 1.0), source_);
}

std::vector<ReleasedAttribute> releaseAttributes(const AttributePolicy& policy, const std::vector<FlowAttribute>& attributes,
                                                 const AttributeValues& truth, AttributeDraw& draw) {
    std::vector<ReleasedAttribute> released;
    for (std::size_t k = 0; k < attributes.size(); ++k) {
        const FlowAttribute& attribute = attributes[k];
        ReleasedAttribute item = describeAttributeTreatment(policy, attribute);
        const auto value = truth.find(attribute.name);
        if (value == truth.end()) throw std::invalid_argument("no value given for attribute '" + attribute.name + "'");
        const int index = valueIndex(attribute, value->second);
        int released_index = index;
        if (item.method == "randomized response")
            released_index = draw.randomizedResponse(k, index, item.categories, item.epsilon);
        else if (item.method == "prior")
            released_index = draw.uniformPrior(k, static_cast<int>(attribute.values.size()));
        item.released_value = attribute.values[released_index];
        released.push_back(std::move(item));
    }
    return released;
}

std::vector<ReleasedAttribute> releaseAttributes(const AttributePolicy& policy, const std::vector<FlowAttribute>& attributes,
                                                 const AttributeValues& truth, RandomSource& source) {
    SecureAttributeDraw draw(source);
    return releaseAttributes(policy, attributes, truth, draw);
}

AttributeValues releasedValues(const std::vector<ReleasedAttribute>& released) {
    AttributeValues values;
    for (const auto& item : released) values[item.name] = item.released_value;
    return values;
}

}  // namespace dpflow
