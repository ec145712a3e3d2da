"""Runtime assembly: CLI, configuration, storage, the call session and (later) the voice server."""
