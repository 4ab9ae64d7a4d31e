"""Who may apply at all: the nationality and age rules a posting states anywhere in its text
("This position is open to Belgian nationals only", "The age limit is 32 years")."""

from __future__ import annotations

import re

from retrieval.eligibility.vocabulary import nationality_in
from retrieval.models import Posting, Requirement
from retrieval.parsing.prose import prose_sentences
from retrieval.text import fold

# "open to Belgian nationals only", "open only to nationals of Belgium and Luxembourg",
# "reserved for Dutch nationals", "only Swiss nationals may apply"
_NATIONALS = re.compile(
    r"\bopen (?:only )?to (?:the )?([a-z][a-z ,'-]{2,60}?) (?:nationals|citizens)\b"
    r"|\b(?:open (?:only )?to|reserved for|restricted to|limited to) (?:the )?(?:nationals|"
    r"citizens) of (?:the )?([a-z][a-z ,'-]{2,60}?)(?= only\b|[.,;)]|$)"
    r"|\b(?:reserved for|restricted to|limited to) ([a-z][a-z ,'-]{2,40}?) (?:nationals|citizens)"
    r"|\bonly ([a-z][a-z '-]{2,40}?) (?:nationals|citizens) (?:are eligible|may apply|can apply)"
    # "Nationals of the Republic of Korea only"
    r"|\b(?:nationals|citizens) of (?:the )?([a-z][a-z ,'-]{2,60}?) only\b"
    # "ouvert aux seuls ressortissants luxembourgeois", "abierto solo a nacionales de Chile"
    r"|\b(?:ouvert|reserve) aux (?:seuls )?ressortissants (?:de |du |des |d')?([a-z'-]{3,30})"
    r"|\babierto (?:solo |solamente |unicamente )?a (?:los )?(?:nacionales|ciudadanos) de "
    r"([a-z][a-z '-]{2,40}?)(?=[.,;)]|$)"
    # "dirigida exclusivamente a personas de nacionalidad española"
    r"|\b(?:exclusivamente|solo|solamente|unicamente|exclusivement|uniquement) a (?:las |los )?"
    r"(?:personas|candidat[oa]s|candidates|personnes) de (?:nacionalidad|nationalite) "
    r"([a-z'-]{3,30})")
# "an age limit of 32", "not older than 32", "under the age of 33", "32 years or younger"
_AGE_LIMIT = re.compile(
    r"\bage limit (?:is |of )?(\d{2})\b|\bmaximum age (?:is |of )?(\d{2})\b"
    r"|\bnot (?:be )?older than (\d{2})\b|\b(\d{2}) years (?:of age )?or younger\b"
    r"|\b(?:(?:under|below) the age of|younger than) (\d{2})\b")


def who_may_apply(posting: Posting) -> list[Requirement]:
    """Nationality and age rules a posting states anywhere in its text."""
    reqs: list[Requirement] = []
    for sentence in prose_sentences(posting.text or ""):
        folded = fold(sentence)
        m = _NATIONALS.search(folded)
        if m and not any(r.kind == "nationality" for r in reqs):
            named = next(g for g in m.groups() if g)
            countries = [c for part in re.split(r",|\band\b|\bor\b", named)
                         if (c := nationality_in(part))]
            if countries:
                reqs.append(Requirement(kind="nationality", level="minimum",
                                        source_text=sentence.strip(" *"),
                                        nationalities=list(dict.fromkeys(countries))))
        a = _AGE_LIMIT.search(folded)
        if a and not any(r.kind == "age" for r in reqs):
            age = int(next(g for g in a.groups() if g))
            under = a.group(5) is not None  # "under 33": 32 at most
            if 20 <= age <= 45:
                reqs.append(Requirement(kind="age", level="minimum",
                                        source_text=sentence.strip(" *"),
                                        max_age=age - 1 if under else age))
    return reqs
