"""Production output: the dataset layout, the run manifest and the `latest.json` pointer."""
