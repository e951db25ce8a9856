# Issue 7: the tagging stage's matching throughput and taxonomy compile time.
if(TARGET ingestd_stage_tagging)
  add_executable(tagging_bench ${CMAKE_CURRENT_LIST_DIR}/tagging_bench.cc)
  target_link_libraries(tagging_bench PRIVATE ingestd_stage_tagging benchmark::benchmark)
  target_compile_definitions(tagging_bench PRIVATE INGESTD_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
endif()
