#pragma once

#include "flow/flow_config.h"
#include "privacy/random_source.h"

#include <string>
#include <vector>

namespace dpflow {

/// M3: what happens to one conditioning attribute of the model on release.
struct AttributeTreatment {
    std::string name;
    bool protect = false;   ///< false: keep (disclosed exactly); true: protect with `epsilon`
    double epsilon = 0.0;   ///< eps_k of a protected attribute; 0 draws from the prior
};

/// One treatment per model attribute, in any order.
using AttributePolicy = std::vector<AttributeTreatment>;

/// Builds a policy from the attributes to keep and "NAME:EPS" protect items (the CLI's
/// --keep and --protect). Throws std::invalid_argument for an item without ':' or with an eps
/// that is not a non-negative finite number.
AttributePolicy makeAttributePolicy(const std::vector<std::string>& keep, const std::vector<std::string>& protect);

/// Checks that every attribute of the model is treated exactly once and that nothing else is.
/// Throws std::invalid_argument naming the attribute and how to fix the command.
void validateAttributePolicy(const AttributePolicy& policy, const std::vector<FlowAttribute>& attributes);

/// Sum of eps_k over protected attributes.
double protectedAttributeEpsilon(const AttributePolicy& policy);

/// The prior used for eps_k = 0, recorded with the release: the model card holds no training
/// frequencies, so every value is equally likely.
extern const char* const kUniformPriorDescription;

/// What was released for one attribute. The true value is deliberately absent: the record is
/// published with the image.
struct ReleasedAttribute {
    std::string name;
    bool protect = false;
    double epsilon = 0.0;           ///< eps_k (0 for kept attributes and prior draws)
    std::string method;             ///< "disclosed", "randomized response" or "prior"
    std::string prior;              ///< for "prior": which prior (kUniformPriorDescription)
    int categories = 0;             ///< K, the attribute's number of values
    double keep_probability = 1.0;  ///< chance that c'_k = c_k: 1 kept, e^eps/(e^eps+K-1) protected, 1/K prior
    std::string released_value;     ///< c'_k
};

/// The treatment of `attribute` under `policy`, with keep probability and method, for display
/// (released_value empty). Throws std::invalid_argument when the policy does not treat it.
ReleasedAttribute describeAttributeTreatment(const AttributePolicy& policy, const FlowAttribute& attribute);

/// Where the randomness of the protected attributes' release comes from. releaseAttributes
/// decides which draw each treatment needs; a release draws from the secure source
/// (SecureAttributeDraw), the studio's preview from its fixed draw.
class AttributeDraw {
public:
    virtual ~AttributeDraw() = default;
    /// k-ary randomized response of `true_index` among `count` values at `epsilon`, for the
    /// model's attribute number `attribute`.
    virtual int randomizedResponse(std::size_t attribute, int true_index, int count, double epsilon) = 0;
    /// A value index drawn from the uniform prior over `count` values, for attribute number `attribute`.
    virtual int uniformPrior(std::size_t attribute, int count) = 0;
};

/// The release's attribute draw: exact randomized response and prior draws from `source`.
class SecureAttributeDraw : public AttributeDraw {
public:
    explicit SecureAttributeDraw(RandomSource& source) : source_(source) {}
    int randomizedResponse(std::size_t attribute, int true_index, int count, double epsilon) override;
    int uniformPrior(std::size_t attribute, int count) override;

private:
    RandomSource& source_;
};

/// Draws c' for every model attribute: kept ones copied, protected ones by k-ary randomized
/// response (eps_k > 0) or from the uniform prior (eps_k = 0), with `draw`'s randomness.
/// `truth` must hold a valid value for every attribute. Throws std::invalid_argument otherwise.
std::vector<ReleasedAttribute> releaseAttributes(const AttributePolicy& policy, const std::vector<FlowAttribute>& attributes,
                                                 const AttributeValues& truth, AttributeDraw& draw);

/// releaseAttributes with a SecureAttributeDraw on `source`.
std::vector<ReleasedAttribute> releaseAttributes(const AttributePolicy& policy, const std::vector<FlowAttribute>& attributes,
                                                 const AttributeValues& truth, RandomSource& source);

/// c' as the values the flow decodes under.
AttributeValues releasedValues(const std::vector<ReleasedAttribute>& released);

}  // namespace dpflow
