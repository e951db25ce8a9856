# Dedupe stage (issue 5): benchmarks and the labelled-set scorer.
add_executable(dedupe_bench ${CMAKE_CURRENT_LIST_DIR}/dedupe_bench.cc)
target_link_libraries(dedupe_bench PRIVATE ingestd_dedupe_eval benchmark::benchmark Threads::Threads)
add_executable(dedupe_labelled_set ${CMAKE_CURRENT_LIST_DIR}/dedupe_labelled_set.cc)
target_link_libraries(dedupe_labelled_set PRIVATE ingestd_dedupe_eval)
add_executable(dedupe_lsh_compare ${CMAKE_CURRENT_LIST_DIR}/dedupe_lsh_compare.cc)
target_link_libraries(dedupe_lsh_compare PRIVATE ingestd_dedupe_eval)
# The replication window between replicas, against the embedded broker, with a plain
# librdkafka produce -> consume round trip as the reference measured in the same run.
add_executable(dedupe_replication ${CMAKE_CURRENT_LIST_DIR}/dedupe_replication.cc)
target_link_libraries(dedupe_replication PRIVATE ingestd_daemon)
