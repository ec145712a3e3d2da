"""Replies: system acts worded by the scenario's templates."""
