"""Verification: deterministic checks of claims against their cited evidence."""
