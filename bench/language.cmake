# Issue 6: the language stage's evaluation tool and throughput benchmark.
if(TARGET ingestd_stage_language)
  add_executable(language_eval ${CMAKE_CURRENT_LIST_DIR}/language_eval/score_eval_set.cc)
  target_link_libraries(language_eval PRIVATE ingestd_stage_language)
  ingestd_bench(language_bench ${CMAKE_CURRENT_LIST_DIR}/language_bench.cc)
  target_link_libraries(language_bench PRIVATE ingestd_stage_language)
endif()
