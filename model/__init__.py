"""Peru early-childhood policy simulator: the model package."""
