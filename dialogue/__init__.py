"""Dialogue state (an event log), the form policy and its business actions. No audio, no HTTP.

Owns events, the tracker, the policy and its forms, the ports the store implements, and the
binding of action names to code (:mod:`.registry`). May import: :mod:`common`,
:mod:`scenarios`, :mod:`nlu`.
"""
