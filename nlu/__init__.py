"""Understanding: text (with the slot just asked for) to domain, intent and normalised slots."""
