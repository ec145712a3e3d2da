"""Understanding: text (with the slot just asked for) to domain, intent and normalised slots.

Owns the engines, the typed value parsers, the factory the session uses (:mod:`.config`) and the
Rasa formats (:mod:`.rasa_format`, :mod:`.rasa_http`). May import: :mod:`common`,
:mod:`scenarios`.
"""
