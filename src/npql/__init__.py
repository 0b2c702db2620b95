"""npql."""
