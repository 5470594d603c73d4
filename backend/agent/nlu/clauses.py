"""A message cut into the requests it makes: "Can I book a haircut? Also I was double charged" is two.

Cuts fall at the end of a sentence, at a new line, before a comma's "I …" or "my …", and before words that
start another request ("also", "plus", "btw", "oh and", "and can you …", "and I need …"). Each piece is read
on its own by the caller; a piece that asks for nothing ("thanks!", "it's Maria") simply carries no intent.
"""

from __future__ import annotations

import re

CUT = re.compile(
    # A sentence ends here, but not after a title or "p.m." ("Dr. Smith", "3 p.m. tomorrow").
    r"(?<=[.?!;])(?<![DdMm]r\.)(?<![Mm]s\.)(?<![Mm]rs\.)(?<![ap]\.m\.)\s+|\n+"
    r"|[\s,;]+(?=(?:and\s+)?(?:also|plus|btw|by\s+the\s+way|oh\s+and|another\s+thing|one\s+more\s+thing"
    r"|separately|on\s+another\s+note)\b)"
    r"|,\s*(?=(?:i|i'm|i've|i'd|i\s+was|my|also)\s)"
    r"|[\s,]+and\s+(?=(?:can|could|would|will|i|i'd|i'm|i've|i\s+also|please|also|then|book|cancel|move"
    r"|reschedule|what|when|is|are|do|does|my)\b)",
    re.IGNORECASE,
)
CONNECTOR = re.compile(r"^(?:and\s+)?(?:also|plus|btw|by\s+the\s+way|oh\s+and|and)\b[\s,:]*", re.IGNORECASE)
# A message this short asks for one thing at most.
SHORTEST_OF_SEVERAL = 16


def split_clauses(text: str) -> list[str]:
    """The pieces of the message that could each ask for something, in order; one piece when it cannot be
    cut."""
    if len(text) < SHORTEST_OF_SEVERAL:
        return [text]
    pieces = [CONNECTOR.sub("", piece.strip(" ,;")) for piece in CUT.split(text)]
    return [piece for piece in pieces if piece] or [text]
