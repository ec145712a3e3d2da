"""Runtime assembly: configuration, storage, the call session and runtime, voice and server.

Owns :mod:`.config` (settings), :mod:`.runtime` and :mod:`.session`, :mod:`.store`
(SQLAlchemy), :mod:`.voice` (the pipecat pipeline) and :mod:`.server` (FastAPI). May import
every package below it: :mod:`common`, :mod:`scenarios`, :mod:`nlu`, :mod:`dialogue`,
:mod:`nlg`, :mod:`telephony`; never :mod:`authoring` or :mod:`cli`.
"""
