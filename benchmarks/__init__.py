"""Benchmarks (not tests): what the map costs on the wire and on the server.

Run from the repository root, e.g. ``python -m benchmarks.map_callbacks --quick``.
"""
