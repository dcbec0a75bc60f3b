#include "release/released_item.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace dpflow {

nlohmann::json releasedItemToJson(const ReleasedItem& item, bool with_source_key) {
    nlohmann::json j = {{"id", item.id},
                        {"status", item.withheld ? "withheld" : "released"},
                        {"files", item.files},
                        {"kept_attributes", item.kept_attributes},
                        {"epsilon_total", item.epsilon_total},
                        {"epsilon_parts", item.epsilon_parts}};
    if (item.withheld) j["withheld_reason"] = item.withheld_reason;
    if (with_source_key) j["source_key"] = item.source_key;
    return j;
}

ReleasedItem releasedItemFromJson(const nlohmann::json& j) {
    try {
        ReleasedItem item;
        item.id = j.at("id").get<std::string>();
        item.withheld = j.at("status").get<std::string>() == "withheld";
        item.files = j.at("files").get<std::vector<std::string>>();
        item.kept_attributes = j.at("kept_attributes").get<std::map<std::string, std::string>>();
        item.epsilon_total = j.at("epsilon_total").get<double>();
        item.epsilon_parts = j.at("epsilon_parts").get<std::string>();
        item.withheld_reason = j.value("withheld_reason", "");
        if (j.contains("source_key")) item.source_key = j.at("source_key").get<std::string>();
        return item;
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(std::string("a released image's entry is malformed: ") + e.what());
    }
}

}  // namespace dpflow
