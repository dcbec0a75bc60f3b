# DPFLOW_FUZZ=ON: instead of the project, one libFuzzer executable per fuzz target
# (fuzz_<name>, see fuzz_targets.h), the project's own parsing code compiled with coverage,
# AddressSanitizer and UndefinedBehaviorSanitizer. DCMTK, libpng, OpenJPEG, zlib and
# nlohmann_json are Debian's uninstrumented builds: coverage and ASan speak for the project's
# code only (docs/fuzzing.md). Run them with tools/fuzz/run-fuzzers.sh.
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "DPFLOW_FUZZ needs clang and libFuzzer: cmake -S . -B build-fuzz -DDPFLOW_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1)
add_link_options(-fsanitize=address,undefined)

# The dependencies are found by the top-level CMakeLists.txt. LibTorch among them: one parser's
# objects reach the flow's image fitting (the safeguard's settings check shares a file with
# it), which resizes with LibTorch: linked, never fuzzed.

add_subdirectory(${PROJECT_SOURCE_DIR}/core/image ${PROJECT_BINARY_DIR}/core/image)

# The torch-free parsers the targets reach beyond dpflow_image, and the harnesses.
add_library(dpflow_fuzz_parsers STATIC
    ${PROJECT_SOURCE_DIR}/core/flow/safetensors.cpp
    ${PROJECT_SOURCE_DIR}/core/flow/model_card.cpp
    ${PROJECT_SOURCE_DIR}/core/flow/flow_config.cpp
    ${PROJECT_SOURCE_DIR}/core/flow/preprocessing.cpp
    ${PROJECT_SOURCE_DIR}/core/privacy/privatizer_settings.cpp
    ${PROJECT_SOURCE_DIR}/core/privacy/attribute_policy.cpp
    ${PROJECT_SOURCE_DIR}/core/privacy/randomized_response.cpp
    ${PROJECT_SOURCE_DIR}/core/privacy/exact_sampling.cpp
    ${PROJECT_SOURCE_DIR}/core/privacy/random_source.cpp
    ${PROJECT_SOURCE_DIR}/core/privacy/nearest_neighbour_safeguard.cpp
    ${PROJECT_SOURCE_DIR}/core/release/released_item.cpp
    ${PROJECT_SOURCE_DIR}/core/eval/sweep_summary.cpp
    ${PROJECT_SOURCE_DIR}/core/eval/binomial_interval.cpp
    ${PROJECT_SOURCE_DIR}/core/privacy/budget_ledger.cpp
    ${PROJECT_SOURCE_DIR}/core/privacy/utc_time.cpp
    ${PROJECT_SOURCE_DIR}/core/privacy/mechanism_settings.cpp
    ${PROJECT_SOURCE_DIR}/core/release/durable_files.cpp
    ${PROJECT_SOURCE_DIR}/core/release/release_settings.cpp
    ${PROJECT_SOURCE_DIR}/core/release/release_shard.cpp
    ${PROJECT_SOURCE_DIR}/core/release/release_certificate.cpp
    ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_scratch.cpp
    ${PROJECT_SOURCE_DIR}/tests/fuzz/image_target.cpp
    ${PROJECT_SOURCE_DIR}/tests/fuzz/manifest_target.cpp
    ${PROJECT_SOURCE_DIR}/tests/fuzz/safetensors_target.cpp
    ${PROJECT_SOURCE_DIR}/tests/fuzz/model_card_target.cpp
    ${PROJECT_SOURCE_DIR}/tests/fuzz/release_config_target.cpp
    ${PROJECT_SOURCE_DIR}/tests/fuzz/ledger_target.cpp
    ${PROJECT_SOURCE_DIR}/tests/fuzz/release_state_target.cpp
    ${PROJECT_SOURCE_DIR}/tests/fuzz/certificate_target.cpp
)
target_include_directories(dpflow_fuzz_parsers PUBLIC ${PROJECT_SOURCE_DIR}/core ${PROJECT_SOURCE_DIR}/tests/fuzz)
target_link_libraries(dpflow_fuzz_parsers PUBLIC dpflow_image nlohmann_json::nlohmann_json fmt::fmt ${TORCH_LIBRARIES})
target_compile_options(dpflow_fuzz_parsers PUBLIC ${TORCH_CXX_FLAGS})

set(DPFLOW_FUZZ_TARGETS image manifest safetensors model_card release_config ledger release_state certificate)
foreach(name IN LISTS DPFLOW_FUZZ_TARGETS)
    add_executable(fuzz_${name} ${PROJECT_SOURCE_DIR}/tests/fuzz/libfuzzer_entry.cpp)
    target_compile_definitions(fuzz_${name} PRIVATE DPFLOW_FUZZ_TARGET="${name}")
    target_link_libraries(fuzz_${name} PRIVATE dpflow_fuzz_parsers)
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
endforeach()
