"""Site profiles: one TOML file per site over a shared template (profiles.py loads them)."""
