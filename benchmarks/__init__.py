"""Search-core benchmarks (pytest-benchmark). Ordinary test runs execute each
benchmark once as a correctness check; `pytest benchmarks -n 0 --benchmark-enable`
times them."""
