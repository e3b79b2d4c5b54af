"""The state kept between runs: what was written, and the near-duplicate index."""
