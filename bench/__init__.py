"""Benchmarks (not part of `make test`); each script prints its figures."""
