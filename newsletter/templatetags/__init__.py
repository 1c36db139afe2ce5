"""The newsletter's template tags."""
