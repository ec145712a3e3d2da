"""Replies: system acts worded by the scenario's templates, LLM rewording and its checks.

Owns the templates, the built-in wording, the LLM clients (:mod:`.llm`), the rewriter
(:mod:`.rewrite`) and the reply checks (:mod:`.checks`). May import: :mod:`common`,
:mod:`scenarios`, :mod:`nlu`, :mod:`dialogue`.
"""
