"""Tooling beside the front ends: evaluation on question sets and the benchmark. Imports serving
and below, never a front end."""
