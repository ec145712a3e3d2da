"""Dialogue state (an event log), the form policy and its business actions. No audio, no HTTP."""
