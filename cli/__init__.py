"""The ``aicall`` command line: one module per subcommand, assembled in :mod:`cli.main`."""
