"""Benchmarks (`make bench`): ratios and scaling, peak memory; never asserted in tests."""
