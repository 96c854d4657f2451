"""Reading text the way search reads it, shared by every backend.

Words are folded (accents removed, case-folded), English stop words and a few Indonesian ones are
dropped, and the rest are stemmed with the Snowball English stemmer, so "Lanterns" and "lantern"
are one term on PostgreSQL and on SQLite alike. A query becomes groups of alternatives: every group
must match (AND), any alternative in a group may (OR); alternatives come from staff's synonyms and,
in the database backend, from spelling corrections.
"""

import functools
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import snowballstemmer
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12
# Longest synonym phrase, in words, that a query is scanned for.
MAX_SYNONYM_WORDS = 3

STOP_WORDS = frozenset(
    [
        # English (the shop's catalogue language)
        *("a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "into", "is"),
        *("it", "its", "of", "on", "or", "our", "the", "this", "to", "with"),
        # Indonesian: shoppers type "tas untuk anak", "lampu dan lilin"
        *("dan", "di", "ke", "dari", "untuk", "yang", "dengan", "atau", "ini", "itu", "buat"),
    ]
)

_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = re.compile(r"['’‘`]")
_local = threading.local()  # Snowball stemmers keep state between calls: one per thread


def fold(text: str) -> str:
    """Lower-case, without accents or apostrophes: "Children's Café" -> "childrens cafe"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _APOSTROPHES.sub("", stripped).casefold()


def words(text: str) -> list[str]:
    """The folded words of a text, stop words included."""
    return _WORD.findall(fold(text))


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The Snowball English stem of a folded word; remembered, as a catalogue repeats its words."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return str(stemmer.stemWord(word))


def terms(text: str) -> list[str]:
    """What a text is indexed as: its words without stop words, stemmed."""
    return [stem(w) for w in words(text) if w not in STOP_WORDS]


def normalise(query: str) -> str:
    """The form a query is counted and cached under: "  Xmas MUGS! " -> "xmas mugs"."""
    return " ".join(words(query[:MAX_QUERY_CHARS])[:MAX_QUERY_WORDS])


@dataclass(frozen=True)
class Alternative:
    """One way to match a group: a word or a phrase, as typed (folded) and as terms."""

    words: tuple[str, ...]
    terms: tuple[str, ...]
    kind: str = "typed"  # typed | synonym | correction | completion

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class Group:
    typed: str
    alternatives: tuple[Alternative, ...]


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    normalised: str
    groups: tuple[Group, ...]
    # True for suggestions: the last word is still being typed, so it may be a prefix.
    prefix: bool = False
    corrections: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def all_terms(self) -> set[str]:
        return {t for g in self.groups for a in g.alternatives for t in a.terms}

    def with_groups(self, groups: Sequence[Group], corrections: Mapping[str, str]) -> "ParsedQuery":
        return ParsedQuery(self.text, self.normalised, tuple(groups), self.prefix, dict(corrections))

    def corrected_text(self) -> str | None:
        """The query with each misspelt word replaced by its correction ("did you mean")."""
        if not self.corrections:
            return None
        return " ".join(self.corrections.get(w, w) for w in self.normalised.split())


Synonyms = Mapping[tuple[str, ...], tuple[Alternative, ...]]


def synonyms_build(lines: Iterable[str]) -> dict[tuple[str, ...], tuple[Alternative, ...]]:
    """Staff's lines ("xmas, christmas") as a map from each phrase's terms to all its alternatives."""
    table: dict[tuple[str, ...], tuple[Alternative, ...]] = {}
    for line in lines:
        phrases = []
        for raw in line.split(","):
            phrase_words = tuple(w for w in words(raw) if w not in STOP_WORDS)[:MAX_SYNONYM_WORDS]
            if phrase_words:
                phrases.append(Alternative(phrase_words, tuple(stem(w) for w in phrase_words), "synonym"))
        for phrase in phrases:
            others = [p for p in phrases if p.terms != phrase.terms]
            known = table.get(phrase.terms, ())
            merged = list(known) + [o for o in others if o.terms not in {k.terms for k in known}]
            table[phrase.terms] = tuple(merged)
    return table


def query_parse(text: str, *, synonyms: Synonyms, prefix: bool = False) -> ParsedQuery:
    """Split a query into groups, expanding staff's synonyms (longest phrase first)."""
    text = text.strip()[:MAX_QUERY_CHARS]
    typed = words(text)[:MAX_QUERY_WORDS]
    kept = [w for w in typed if w not in STOP_WORDS] or typed  # "the the" still searches for something
    stems = [stem(w) for w in kept]
    groups: list[Group] = []
    i = 0
    while i < len(kept):
        for size in range(min(MAX_SYNONYM_WORDS, len(kept) - i), 0, -1):
            key = tuple(stems[i : i + size])
            # The word being typed is not yet a whole word: do not expand it as one.
            if prefix and i + size == len(kept):
                continue
            if key in synonyms:
                own = Alternative(tuple(kept[i : i + size]), key)
                groups.append(Group(" ".join(kept[i : i + size]), (own, *synonyms[key])))
                i += size
                break
        else:
            groups.append(Group(kept[i], (Alternative((kept[i],), (stems[i],)),)))
            i += 1
    return ParsedQuery(text=text, normalised=normalise(text), groups=tuple(groups), prefix=prefix)


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
    neighbouring letters ("lantren" -> "lantern" is 1) each count one."""
    if a == b:
        return 0
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def edits_allowed(word: str) -> int:
    """As OpenSearch's fuzziness AUTO: none up to 2 letters, one up to 5, two beyond."""
    return 0 if len(word) <= 2 else 1 if len(word) <= 5 else 2


def trigrams(word: str) -> set[str]:
    """The trigrams pg_trgm takes from one word (two spaces before it, one after)."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def trigram_similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(a, b) for single words: shared trigrams over all trigrams."""
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta or tb else 0.0


# pg_trgm's default threshold for the % operator.
TRIGRAM_THRESHOLD = 0.3


def is_candidate(word: str, term: str) -> bool:
    """Whether a catalogue word is worth measuring against a misspelt one: what the PostgreSQL
    query selects with its trigram index (similar, or same first letter and length within 2)."""
    if abs(len(word) - len(term)) <= 2 and word[:1] == term[:1]:
        return True
    return trigram_similarity(word, term) >= TRIGRAM_THRESHOLD


def best_correction(word: str, candidates: Iterable[tuple[str, str, int]]) -> tuple[str, str] | None:
    """The catalogue word (term, stem) a misspelt word most likely meant: fewest edits (within
    those allowed), then the most trigrams in common ("clok" is "clock" rather than "cook"), then
    the most common."""
    allowed = edits_allowed(word)
    if not allowed:
        return None
    scored = []
    for term, term_stem, documents in candidates:
        distance = edit_distance(word, term)
        if 0 < distance <= allowed:
            scored.append((distance, -trigram_similarity(word, term), -documents, term, term_stem))
    if not scored:
        return None
    best = min(scored)
    return best[3], best[4]


def highlight(text: str, query_terms: set[str], prefixes: Sequence[str] = ()) -> SafeString:
    """The text, escaped, with the words that match the query in <mark>."""
    out: list[str] = []
    position = 0
    for match in _WORD.finditer(text):
        word = fold(match.group())
        if (word not in STOP_WORDS and stem(word) in query_terms) or any(word.startswith(p) for p in prefixes):
            out.append(escape(text[position : match.start()]))
            out.append(f"<mark>{escape(match.group())}</mark>")
            position = match.end()
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of the text is escaped above
