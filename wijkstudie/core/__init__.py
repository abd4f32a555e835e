"""Settings, paths, errors, provenance: what every other layer uses."""
