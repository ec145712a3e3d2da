"""Developer tools kept out of the installed packages (not on the import ladder)."""
