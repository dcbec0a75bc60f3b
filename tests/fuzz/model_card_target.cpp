#include "fuzz_targets.h"

#include "flow/model_card.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace dpflow::fuzz {

int fuzzModelCard(const std::uint8_t* data, std::size_t size) {
    try {
        const ModelCard card = modelCardFromJson(nlohmann::json::parse(data, data + size));
        (void)modelCardToJson(card).dump();
    } catch (const nlohmann::json::exception&) {  // not JSON, or a field of the wrong type
    } catch (const std::invalid_argument&) {      // a value the card refuses
    } catch (const std::runtime_error&) {
    }
    return 0;
}

}  // namespace dpflow::fuzz
