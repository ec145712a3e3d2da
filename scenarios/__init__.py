"""The scenario format, its loader and validation, and the shipped scenarios."""
