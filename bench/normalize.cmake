# Issue 4: the normalize stage.
add_executable(normalize_bench ${CMAKE_CURRENT_LIST_DIR}/normalize_bench.cc)
target_link_libraries(normalize_bench PRIVATE ingestd_stages benchmark::benchmark)

add_executable(normalize_learner_eval ${CMAKE_CURRENT_LIST_DIR}/normalize_learner_eval.cc)
target_link_libraries(normalize_learner_eval PRIVATE ingestd_stages)
target_compile_definitions(normalize_bench PRIVATE INGESTD_BENCH_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
