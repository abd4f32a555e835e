"""Resident-level survey microdata read onto the resident schema."""
