"""Benchmarks and local test fixtures for newsagg (generated aggregator site, HTTP server)."""
