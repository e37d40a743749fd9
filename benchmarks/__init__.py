"""Benchmarks and evaluations; run each with ``python -m benchmarks.<name>``."""
