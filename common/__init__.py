"""The bottom of the import ladder: what every package of the project shares.

Owns the project's exception hierarchy (:mod:`common.errors`), call-id checks
(:mod:`common.ids`) and the log set-up (:mod:`common.logs`). May import: nothing of the
project (the standard library only), so every other package may import it.
"""
