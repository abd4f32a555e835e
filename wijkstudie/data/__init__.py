"""Datasets by name.

The catalogue, the variable dictionary, getting and reading files, harmonising divisions and joining sources.
"""
