"""Product names for the shop, from the data's capitalised descriptions.

str.title() gets too much wrong for a shop window ("T-Light" is fine, but "You'Re", "50'S",
"40X40Cm", "Set Of 4"), so each word is cased by what it is: a size or quantity, an initialism,
a small joining word, or an ordinary word.
"""

import re

# Kept in capitals wherever they appear.
_INITIALISMS = frozenset({"ABC", "CD", "DVD", "DIY", "LED", "TV", "UK", "USA", "USB", "VIP", "WC", "XL", "XXL", "3D"})
# Paper sizes: A4, A6...
_PAPER_SIZE = re.compile(r"A\d")
# Lower-case inside a title, capitalised when they start it.
_SMALL_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "with"}
)
# Numbers with units or dimensions: 125g, 3.5g, 40x40cm, 30cmx30cm, 6pc, 50's, 1st.
_MEASURE = re.compile(r"[\d.]+(cm|mm|m|g|kg|ml|cl|l|pc|pcs|'s|s|st|nd|rd|th)?(x[\d.]+(cm|mm|m|g|kg|ml|cl|l)?)*", re.I)
# "S/4", "SET/6", "PACK/12": a set or pack of so many.
_COUNTED = re.compile(r"(S|SET|PACK)/(\d+)", re.I)
# Till-receipt spellings.
_SPELLED_OUT = {"ASST": "ASSORTED", "ASSTD": "ASSORTED", "CHILDRENS": "CHILDREN'S", "CHILDS": "CHILD'S"}
# Word parts are cased one by one: "T-LIGHT" is "T" and "LIGHT", "SET/6" is "SET" and "6".
_SEPARATORS = re.compile(r"([-/+&.()\"]+)")


def _part_case(part: str, *, small_allowed: bool) -> str:
    upper = part.upper()
    if upper in _INITIALISMS or _PAPER_SIZE.fullmatch(upper):
        return upper
    if _MEASURE.fullmatch(part):
        return part.lower()
    lower = part.lower()
    if small_allowed and lower in _SMALL_WORDS:
        return lower
    # capitalize() also lower-cases after an apostrophe: "YOU'RE" becomes "You're", not "You'Re".
    return lower.capitalize()


def _word_case(word: str, *, first: bool) -> str:
    parts = _SEPARATORS.split(word)
    # A small word is lower-cased only when it stands alone ("Set of 4", not "Of-Course").
    small_allowed = not first and len(parts) == 1
    return "".join(
        part if _SEPARATORS.fullmatch(part) else _part_case(part, small_allowed=small_allowed) for part in parts if part
    )


def _words_expand(words: list[str]) -> list[str]:
    """Spell out the data's shorthand, which was written to fit a till receipt, not a shop window."""
    expanded: list[str] = []
    for word in words:
        if counted := _COUNTED.fullmatch(word):
            kind = "PACK" if counted[1].upper() == "PACK" else "SET"
            expanded += [kind, "of", counted[2]]
        elif word.upper() in _SPELLED_OUT:
            expanded.append(_SPELLED_OUT[word.upper()])
        elif word.upper() == "W" and expanded:
            expanded.append("with")
        elif word.upper().startswith("W/") and len(word) > 2 and expanded:
            expanded += ["with", word[2:]]
        else:
            expanded.append(word)
    return expanded


def title_from_description(description: str) -> str:
    """'S/4 KNICK KNACK TINS DOILY ' -> 'Set of 4 Knick Knack Tins Doily'."""
    text = re.sub(r"\s*,\s*", ", ", description)  # "CARD,pack/12" -> "CARD, pack/12"
    words = _words_expand(text.strip(" ,.-").split())
    return " ".join(_word_case(word, first=index == 0) for index, word in enumerate(words))
