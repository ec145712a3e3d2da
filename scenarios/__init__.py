"""The scenario format: schema, loader, validation, the one annotation parser, shipped files.

Owns :mod:`.schema` (pydantic models), :mod:`.loader` (YAML with file/line/field errors),
:mod:`.annotations` (``[text](slot)`` marks), :mod:`.capabilities` and :mod:`.needs` (what each
action, look-up and validator needs, as data, and the check), and the shipped scenarios
(``data/``, ``heldout/``). May import: :mod:`common` only.
"""
