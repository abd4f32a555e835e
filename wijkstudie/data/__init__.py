"""Datasets by name: the catalogue, the variable dictionary, getting and reading files, harmonising divisions and
joining sources."""
