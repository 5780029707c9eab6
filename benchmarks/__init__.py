"""Benchmarks: a synthetic corpus generator and a runner that times each build phase."""
