"""Benchmarks of Apiary: speed (records.py) and definition generation (generation/)."""
