"""The bottom of the import ladder: what every package of the project shares.

Owns the project's exception hierarchy (:mod:`common.errors`). It imports nothing of the
project (only the standard library), so every other package may import it.
"""
