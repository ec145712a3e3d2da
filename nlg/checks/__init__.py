"""Checks that an LLM reply is faithful to its system acts before it is spoken.

``check_reply(candidate, acts=..., template_text=..., lang=...)`` returns a
:class:`CheckResult`; when it is not ``ok`` the caller speaks the template instead and logs the
reasons (see :class:`Reason` and docs/llm.md). ``meaning_faults(candidate, template_text, lang)``
compares a whole reworded reply's meaning with its template's (``meaning:*`` reasons; rules
over the Korean morphology, about a millisecond; docs/replies.md "The meaning check").
"""

from nlg.checks._check import CheckResult, Reason, check_reply, find_mentions
from nlg.checks._meaning import meaning_faults
from nlg.checks._mention import Mention

__all__ = ["CheckResult", "Mention", "Reason", "check_reply", "find_mentions", "meaning_faults"]
