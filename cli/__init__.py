"""The ``aicall`` command line: one module per subcommand, assembled in :mod:`cli.main`.

The top of the import ladder: may import every package of the project; nothing imports it.
The voice commands import :mod:`agent.server` and :mod:`agent.voice` inside the command, so
the text commands run without the voice extra.
"""
