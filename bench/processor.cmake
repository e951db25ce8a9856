# Issue 10: the whole record path (decode -> every stage -> encode) and each stage's
# share of its time.
ingestd_bench(processor_bench processor_bench.cc)
target_compile_definitions(processor_bench PRIVATE INGESTD_BENCH_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
