"""Usernames: their length cap and their skeleton (what they look like), stdlib only."""

from __future__ import annotations

import unicodedata

# Folded (lowercase) letters that look like a Latin letter, in lowercase or in their capital
# form (casefold has merged the two), and the Latin letter they imitate. Written as escapes:
# the point of each entry is that it cannot be told apart on screen.
LOOKALIKES = {
    "\u0430": "a",  # cyrillic small letter a
    "\u0432": "b",  # cyrillic small letter ve
    "\u0435": "e",  # cyrillic small letter ie
    "\u0451": "e",  # cyrillic small letter io
    "\u0433": "r",  # cyrillic small letter ghe
    "\u04bb": "h",  # cyrillic small letter shha
    "\u043d": "h",  # cyrillic small letter en
    "\u0456": "i",  # cyrillic small letter byelorussian-ukrainian i
    "\u0457": "i",  # cyrillic small letter yi
    "\u0458": "j",  # cyrillic small letter je
    "\u043a": "k",  # cyrillic small letter ka
    "\u04cf": "l",  # cyrillic small letter palochka
    "\u043c": "m",  # cyrillic small letter em
    "\u043e": "o",  # cyrillic small letter o
    "\u0440": "p",  # cyrillic small letter er
    "\u0441": "c",  # cyrillic small letter es
    "\u051b": "q",  # cyrillic small letter qa
    "\u0455": "s",  # cyrillic small letter dze
    "\u0442": "t",  # cyrillic small letter te
    "\u0443": "y",  # cyrillic small letter u
    "\u04af": "y",  # cyrillic small letter straight u
    "\u0445": "x",  # cyrillic small letter ha
    "\u0501": "d",  # cyrillic small letter komi de
    "\u051d": "w",  # cyrillic small letter we
    "\u0261": "g",  # latin small letter script g
    "\u043f": "n",  # cyrillic small letter pe
    "\u03b1": "a",  # greek small letter alpha
    "\u03b2": "b",  # greek small letter beta
    "\u03b5": "e",  # greek small letter epsilon
    "\u03b7": "n",  # greek small letter eta
    "\u03b9": "i",  # greek small letter iota
    "\u03ba": "k",  # greek small letter kappa
    "\u03bc": "u",  # greek small letter mu
    "\u03bd": "v",  # greek small letter nu
    "\u03bf": "o",  # greek small letter omicron
    "\u03c1": "p",  # greek small letter rho
    "\u03c4": "t",  # greek small letter tau
    "\u03c5": "u",  # greek small letter upsilon
    "\u03c7": "x",  # greek small letter chi
    "\u03b6": "z",  # greek small letter zeta
    "\u03f2": "c",  # greek lunate sigma symbol
    "\u03f3": "j",  # greek letter yot
    "\u0131": "i",  # latin small letter dotless i
    "\u0237": "j",  # latin small letter dotless j
    "0": "o",  # digit zero
    "1": "l",  # digit one
}
TABLE = str.maketrans(LOOKALIKES)
MAX_USERNAME = 150


def username_fits(username: str) -> bool:
    """At most MAX_USERNAME characters as sent and once normalized (NFKC can grow it 18-fold)."""
    return (len(username) <= MAX_USERNAME
            and len(unicodedata.normalize("NFKC", username)) <= MAX_USERNAME)


def username_key(username: str) -> str:
    """What a username looks like (NFKC, casefolded, look-alike letters made Latin).

    No two accounts share it: `alice`, `ALICE` and `\u0430lice` (Cyrillic a) are one name.
    """
    folded = unicodedata.normalize("NFKC", username).casefold()
    return unicodedata.normalize("NFKC", folded.translate(TABLE))
