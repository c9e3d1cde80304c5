"""Evaluation sets and the measurements behind `newsrag eval` and the benchmarks."""
