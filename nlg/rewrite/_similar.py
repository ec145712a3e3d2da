"""Whether a reworded reply is a rewording at all, or the template again.

A reply that passes every check but says the template's words (give or take "네, " in front
or a comma) is not a rewording: a caller would hear no difference. The benchmark counts such
replies apart, and the rewriter's sampling prefers a candidate that differs.

**Near-identical**, as defined here: after dropping a leading filler (네, 예, 아, 음, 좋아요,
알겠습니다 / yes, sure, okay, alright, great, got it, so, well...), case, punctuation and
spaces, the character edit distance between reply and template is below 10% of the longer
of the two.
"""

from __future__ import annotations

import re

__all__ = ["NEAR_IDENTICAL", "edit_distance", "near_identical", "normalised_distance"]

#: the normalised edit distance under which a reply counts as the template again
NEAR_IDENTICAL = 0.1

_FILLER = re.compile(
    r"^(?:(?:네|예|아|음|좋아요|좋습니다|알겠습니다|그럼|자|yes|yeah|sure|okay|ok|alright|"
    r"all right|great|got it|so|well|right|perfect|certainly|of course)[\s,.!]*)+",
    re.IGNORECASE,
)


def _normal(text: str) -> str:
    text = _FILLER.sub("", text.strip())
    return "".join(ch for ch in text.lower() if ch.isalnum())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings (insert, delete, substitute: cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def normalised_distance(reply: str, template: str) -> float:
    """Edit distance of the normalised texts over the longer one's length (0 = the same)."""
    a, b = _normal(reply), _normal(template)
    if not a and not b:
        return 0.0
    return edit_distance(a, b) / max(len(a), len(b))


def near_identical(reply: str, template: str) -> bool:
    """Whether ``reply`` is the template again (see the module's definition)."""
    return normalised_distance(reply, template) < NEAR_IDENTICAL
