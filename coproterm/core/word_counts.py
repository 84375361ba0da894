"""The words a room keeps using: counted for the word view, with the filler left out.

Pure and incremental. An answer's words are its *distinct* content words:
case folded with :meth:`str.casefold`, punctuation dropped (an apostrophe inside a word
stays: ``people's``), Welsh clitics dropped (``gwaith'n``, ``gyda'ch``), and the stop words
of English and of Welsh left out, so a word is counted once per answer however often the
answer repeats it. :class:`WordCounts` adds and takes away one answer at a time, so a wall
of 5,000 answers is never recounted.

**Welsh mutations.** A Welsh word changes its first sound after certain words: *cymuned*,
*gymuned*, *chymuned* and *nghymuned* are one word. The forms that can only be mutations
(*ngh-*, *mh-*, *nh-*, *ng-*, *dd-*) are folded to their radical always (:func:`words_of`);
the forms that may also be words of their own (*g-* from *c-*, *f-* from *b-* or *m-*,
*l-* from *ll-*, *ch-* from *c-*, *h-* before a vowel…) are folded only where the room's
answers also use the radical, and the radical is shown (:meth:`WordCounts.top`). So are
spellings with and without a circumflex (*dŵr*, *dwr*: the circumflex is shown) and
*cyd-* with or without its hyphen (*cyd-gynhyrchu*, *cydgynhyrchu*).
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from coproterm.core.collation import welsh_key


def _listed(text: str) -> frozenset[str]:
    return frozenset(text.split())


ENGLISH = _listed(
    """
    a about above after again against all also am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
    during each etc few for from further get gets got had hadn't has hasn't have haven't having he he'd he'll
    he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it
    it's its itself just let's like me more most much must mustn't my myself no nor not of off on once only
    or other ought our ours ourselves out over own really same shall shan't she she'd she'll she's should
    shouldn't so some such than that that's the their theirs them themselves then there there's these they
    they'd they'll they're they've this those through to too under until up upon us very was wasn't we we'd
    we'll we're we've were weren't what what's when when's where where's which while who who's whom why
    why's will with won't would wouldn't yes yet you you'd you'll you're you've your yours yourself
    yourselves one ones thing things way lot lots
    """
)
"""English function words (the usual list, with a few fillers a workshop wall is full of)."""

WELSH = _listed(
    """
    a ac acha achos ag am amdano amdani ar arall at atat atom atoch atynt beth bod bydd byddai byddwn bydden
    byth cael chi chwi dan dim drwy dy dyma dyna dyw e ef efe ei eich ein eisiau ers eto fe fi
    fod fy fydd fyddai gall gan ganddi ganddo ganddynt gyda gydag hi hwn hwnnw hon honno hyd hyn hynny
    i iddi iddo iddyn in mae maen maent mai ma mewn mi mor na nad nage naill nawr neb neu ni nid nhw nôl o
    oedd oes ohono ohoni oll os pa pam pan pe pob pwy rhai rhaid rhyw sef sut syn tra trwy tu wedi wrth y
    ych ydi ydw ydy ydych ydym ydyn ydyw yma ymhlith yn yna ynddo ynddi yno yr
    ond fel felly oherwydd hefyd iawn ddim does dydy nag sydd sy yw eu rydw rydych rydyn rydym roedd roeddwn
    dwi dw wyt efo hefo yng ym cyn mwy llawer
    dros tros heb tan rhwng tua tuag er oddi ti fo hwy rhain rheini un bob pawb eraill peth pethau gael chael
    wneud 'di di mo taw be roedden oeddwn byddan fyddan arno ato ati wrthyn ganddyn gen gennym
    """
)
"""Welsh function words: articles, pronouns, prepositions, the forms of *bod* (to be), and a few fillers.

Not *ceir* (also "cars"), *ffordd* (way, road) or *gallu* (ability): content words too."""

STOP_WORDS = ENGLISH | WELSH

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_WORD = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*")
"""A run of letters and digits, with inner apostrophes and hyphens (``people's``, ``co-production``)."""
_ELISIONS = ("'ch", "'th", "'n", "'r", "'i", "'w", "'m", "'s", "'u")
"""Welsh clitics and the English possessive: ``gwaith'n`` counts as ``gwaith``, ``people's`` as ``people``."""

_ALWAYS = (("ngh", "c"), ("mh", "p"), ("nh", "t"), ("ng", "g"), ("dd", "d"))
"""Beginnings that are only ever mutations (nasal, and the soft mutation of *d*), and their radicals."""
_MAYBE = (
    ("ch", "c"),
    ("ph", "p"),
    ("th", "t"),  # aspirate
    ("g", "c"),
    ("b", "p"),
    ("d", "t"),
    ("f", "b"),
    ("f", "m"),
    ("l", "ll"),
    ("r", "rh"),  # soft
    ("m", "b"),
    ("n", "d"),  # nasal
)
"""Beginnings that may be mutations or a word's own, and the radical each may come from."""
_VOWELS = "aâeêiîoôuûwŵyŷ"
_CIRCUMFLEXES = str.maketrans("âêîôûŵŷ", "aeiouwy")


def radicals(word: str) -> tuple[str, ...]:
    """The words ``word`` may be a mutation of (only those its beginning allows), most likely first."""
    found = [radical + word[len(start) :] for start, radical in _MAYBE if word.startswith(start)]
    if word[:1] in _VOWELS or word[:1] in "lrw":
        found.append("g" + word)  # the soft mutation drops a g: waith, wneud, ofal, rŵp
    if word[:1] == "h" and word[1:2] in _VOWELS:
        found.append(word[1:])  # h before a vowel after ei (her), ein, eu: ei henw
    return tuple(candidate for candidate in found if len(candidate) > 1 and candidate not in STOP_WORDS)


def plain(word: str) -> str:
    """``word`` without circumflexes: *dŵr* and *dwr* are one word."""
    return word.translate(_CIRCUMFLEXES)


def _unmutated(word: str) -> str:
    """``word`` with a beginning that can only be a mutation folded to its radical (*nghymuned*: *cymuned*)."""
    for start, radical in _ALWAYS:
        if word.startswith(start) and len(word) > len(start) + 1:
            return radical + word[len(start) :]
    return word


def words_of(text: str) -> frozenset[str]:
    """The distinct content words of one answer, folded; stop words, numbers and single letters left out."""
    folded = unicodedata.normalize("NFC", text.translate(_APOSTROPHES).casefold())
    found: set[str] = set()
    for match in _WORD.finditer(folded):
        word = match.group()
        if word in STOP_WORDS:
            continue
        for ending in _ELISIONS:
            if word.endswith(ending) and len(word) > len(ending):
                word = word[: -len(ending)]
                break
        if word.startswith("cyd-"):
            word = "cyd" + word[4:]  # cyd-gynhyrchu is cydgynhyrchu
        word = _unmutated(word)
        if len(word) < 2 or word.isdigit() or word in STOP_WORDS:
            continue
        found.add(word)
    # One answer using a word twice, with and without a circumflex (dŵr … dwr) or as a radical and
    # its mutation (cymuned … gymuned), uses it once: the circumflex, the radical.
    found -= {word for word in found if plain(word) == word and any(w != word and plain(w) == word for w in found)}
    plains = {plain(word) for word in found}
    return frozenset(w for w in found if not any(plain(r) in plains for r in radicals(w)))


class WordCounts:
    """How many answers use each word, kept as answers come, change and go.

    The most used words are kept in a heap whose stale entries (a count that has
    changed since) are dropped as they come to its top, so :meth:`top` costs a few
    pops however many distinct words there are (200,000 words once cost 52 ms a
    recount), and a change costs one push per word changed, pushed when next asked for the top (approving
    5,000 answers that share a few words pushes those few words, not 20,000 entries).
    """

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._heap: list[tuple[int, str]] = []
        """(-count, word), with stale entries among them."""
        self._spellings: dict[str, set[str]] = {}
        """Each circumflex-free spelling in use: the forms typed for it (*dwr*: *dŵr*, *dwr*)."""
        self._changed: set[str] = set()
        """Words whose count changed since the heap was last brought up to date (:meth:`_pushed`)."""

    def add(self, words: Iterable[str]) -> None:
        """One more answer uses these (distinct) words."""
        counts, changed = self._counts, self._changed
        for word in words:
            if word not in counts:
                self._spellings.setdefault(plain(word), set()).add(word)
            counts[word] += 1
            changed.add(word)

    def add_all(self, answers: Iterable[Iterable[str]]) -> None:
        """Many more answers use these words (each answer's distinct words): as :meth:`add`, once for each."""
        counts: dict[str, int] = {}
        get = counts.get
        for words in answers:
            for word in words:
                counts[word] = get(word, 0) + 1
        mine = self._counts
        for word, count in counts.items():
            if word not in mine:
                self._spellings.setdefault(plain(word), set()).add(word)
            mine[word] += count
        self._changed.update(counts)

    def remove(self, words: Iterable[str]) -> None:
        """An answer that used these words is gone (removed, edited away or hidden)."""
        for word in words:
            left = self._counts[word] - 1
            if left > 0:
                self._counts[word] = left
                self._changed.add(word)
            else:
                del self._counts[word]
                spellings = self._spellings.get(plain(word))
                if spellings is not None:
                    spellings.discard(word)
                    if not spellings:
                        del self._spellings[plain(word)]

    def _pushed(self) -> None:
        """The heap up to date: one entry pushed for each word whose count changed (gone words: none)."""
        changed, self._changed = self._changed, set()
        for word in changed:
            count = self._counts.get(word)
            if count:
                heapq.heappush(self._heap, (-count, word))
        if len(self._heap) > 4 * len(self._counts) + 1024:
            # Mostly stale: built again from the counts (linear, and rare: after as many changes as words).
            self._heap = [(-n, w) for w, n in self._counts.items()]
            heapq.heapify(self._heap)

    def top(self, n: int) -> list[tuple[str, int]]:
        """The ``n`` most used words, most first, ties in Welsh alphabetical order (stable between frames).

        Forms of one word are counted together under the form shown (see the module's notes), among
        the most used forms the heap gives (a rare form far down the list is not looked for).
        """
        raw = self._raw_top(4 * n + 32)
        folded: Counter[str] = Counter()
        for word, count in raw:
            folded[self._shown(word)] += count
        listed = {word for word, _ in raw}
        for word in list(folded):
            if word not in listed:  # a radical the room uses, below the forms that brought it up
                folded[word] += self._counts.get(word, 0)
        return heapq.nsmallest(n, folded.items(), key=lambda item: (-item[1], welsh_key(item[0])))

    def _raw_top(self, n: int) -> list[tuple[str, int]]:
        """The ``n`` most used forms as typed, most first (ties in code-point order)."""
        self._pushed()
        found: list[tuple[str, int]] = []
        kept: list[tuple[int, str]] = []
        seen: set[str] = set()
        while self._heap and len(found) < n:
            entry = heapq.heappop(self._heap)
            count, word = -entry[0], entry[1]
            if self._counts.get(word) != count or word in seen:
                continue  # stale, or a second entry of the same count: dropped for good
            seen.add(word)
            found.append((word, count))
            kept.append(entry)
        for entry in kept:
            heapq.heappush(self._heap, entry)
        return found

    def _shown(self, word: str) -> str:
        """The form ``word`` is counted under: its spelling with a circumflex, its radical where the room uses it."""
        key = plain(word)
        for _ in range(3):  # a radical may itself be a mutation the room confirms (rarely)
            present = [plain(r) for r in radicals(key) if plain(r) in self._spellings]
            if not present:
                break
            key = present[0]
        spellings = self._spellings.get(key) or {word}
        return max(spellings, key=lambda w: (w != key, self._counts.get(w, 0), w))

    def __len__(self) -> int:
        return len(self._counts)

    def __getitem__(self, word: str) -> int:
        return self._counts.get(word, 0)


def count_words(texts: Iterable[str]) -> list[tuple[str, int]]:
    """Every word of these answers with the number of answers using it, most first (a recount, for exports)."""
    counts = WordCounts()
    for text in texts:
        counts.add(words_of(text))
    return counts.top(len(counts))
