"""Benchmarks of zapis: `python -m bench [NAME ...]` (see bench/README.md)."""
