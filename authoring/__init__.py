"""Scenario authoring: augmentation, candidate review, recommendations, dialogues from goals.

Modules, each with one job (see ``docs/authoring.md``):

- :mod:`.annotated` — utterances as plain and slot segments;
- :mod:`.korean` — particle agreement, native numerals, speech levels;
- :mod:`.deterministic` — augmenters that need no LLM;
- :mod:`.templates` — slot templates filled with values;
- :mod:`.generate` — LLM generators (zero-shot, paraphrase, slot templates);
- :mod:`.filters` — screening with a reason for every rejection;
- :mod:`.candidates` — candidates, provenance, review state, the YAML store;
- :mod:`.pipeline` — :func:`~.pipeline.augment`, all of the above for a domain;
- :mod:`.training` — training with accepted candidates, held-out files;
- :mod:`.recommend` — next system utterances and branches;
- :mod:`.model` — the data: a written dialogue, a run's outcome;
- :mod:`.goals` / :mod:`.dialogues` / :mod:`.dialogue_llm` / :mod:`.runs` — goal scripts, whole
  dialogues (templates, then the LLM), runs against the agent.

Above :mod:`agent` on the import ladder: may import every package but :mod:`cli`.
"""
