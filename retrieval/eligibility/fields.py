"""Academic fields: the taxonomy (canonical field → terms and groups) and how a candidate's
field relates to the fields a posting asks for."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from retrieval.eligibility.vocabulary import stem_words

# ---- field taxonomy -------------------------------------------------------------------------

# canonical field → (terms in en/fr/es, accent-folded; groups it belongs to)
FIELD_TAXONOMY: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "law": (("law", "laws", "legal", "jurisprudence", "llb", "llm", "ll b", "ll m", "juris doctor",
             "droit", "derecho", "juridique", "juridico", "juridica"), frozenset({"law"})),
    "economics": (("economics", "economy", "economic", "econometrics", "econ", "economie",
                   "economia",
                   "sciences economiques", "ciencias economicas"),
                  frozenset({"economics", "social_science"})),
    "social sciences": (("social science", "social sciences", "sciences sociales",
                         "ciencias sociales"), frozenset({"social_science"})),
    "sociology": (("sociology", "sociologie", "sociologia"), frozenset({"social_science"})),
    "anthropology": (("anthropology", "anthropologie", "antropologia"),
                     frozenset({"social_science"})),
    "political science": (("political science", "political sciences", "politics", "poli sci",
                           "polisci", "pol sci",
                           "political studies", "science politique", "sciences politiques",
                           "ciencias politicas", "ciencia politica"),
                          frozenset({"political_science", "social_science"})),
    "international relations": (("international relations", "international affairs",
                                 "international studies", "intl relations",
                                 "relations internationales",
                                 "relaciones internacionales"),
                                frozenset({"international_relations", "social_science"})),
    "development studies": (("development studies", "international development",
                             "etudes du developpement", "estudios del desarrollo"),
                            frozenset({"development", "social_science"})),
    "public policy": (("public policy", "public administration", "policy studies", "social policy",
                       "politiques publiques", "politicas publicas", "administracion publica"),
                      frozenset({"public_policy", "social_science"})),
    "psychology": (("psychology", "psych", "behavioural science", "behavioral science",
                    "behavioural sciences", "behavioral sciences", "psychologie", "psicologia"),
                   frozenset({"behavioural", "social_science"})),
    "demography": (("demography", "geography", "demographie", "demografia"),
                   frozenset({"social_science"})),
    "human rights": (("human rights", "droits de l'homme", "droits humains",
                      "derechos humanos"), frozenset({"human_rights"})),
    "data science": (("data science", "data sciences", "data analytics", "statistics",
                      "statistic", "stats", "statistique", "statistiques", "estadistica",
                      "maths", "math",
                      "computer science", "informatics", "mathematics", "machine learning",
                      "artificial intelligence", "science des donnees", "ciencia de datos"),
                     frozenset({"data_science"})),
    "business administration": (("business administration", "business", "management", "mba",
                                 "commerce", "finance", "accounting", "gestion",
                                 "administration des affaires",
                                 "administracion de empresas"), frozenset({"business"})),
    "communications": (("communication", "communications", "comms", "journalism", "media studies",
                        "public relations", "marketing", "periodismo", "journalisme"),
                       frozenset({"communications"})),
    "industrial relations": (("industrial relations", "labour relations", "labor relations",
                              "employment relations", "human resources",
                              "human resource management", "relations industrielles",
                              "relaciones laborales"), frozenset({"industrial_relations"})),
    "corporate sustainability": (("corporate sustainability", "sustainability",
                                  "corporate social responsibility", "csr",
                                  "responsible business", "responsible business conduct",
                                  "due diligence", "responsible sourcing", "esg",
                                  "environmental studies"), frozenset({"sustainability"})),
    # distant families, known so that "clearly unrelated" can be told from "unknown"
    "medicine": (("medicine", "nursing", "pharmacy", "dentistry", "public health", "medecine",
                  "medicina"),
                 frozenset({"health"})),
    "natural sciences": (("biology", "chemistry", "physics", "geology", "biologie", "chimie",
                          "physique", "biologia", "quimica", "fisica"),
                         frozenset({"natural_science"})),
    "engineering": (("engineering", "architecture", "ingenierie", "ingenieria"),
                    frozenset({"engineering"})),
    "arts": (("fine arts", "music", "musique", "musica", "design", "theatre", "dance"),
             frozenset({"arts"})),
    "humanities": (("history", "philosophy", "literature", "linguistics", "languages",
                    "histoire", "philosophie", "historia", "filosofia"),
                   frozenset({"humanities"})),
}

# Fields of one policy family count as related when a posting accepts "related fields".
_POLICY = frozenset({
    "law", "economics", "social_science", "political_science", "international_relations",
    "industrial_relations", "development", "public_policy", "human_rights", "business",
    "sustainability", "behavioural",
})
_NEAR: dict[str, frozenset[str]] = {
    "communications": frozenset({"social_science", "business", "political_science",
                                 "international_relations", "communications"}),
    "data_science": frozenset({"economics", "social_science", "business", "data_science"}),
}
_AMBIGUOUS = frozenset({"humanities"})  # plausibly related to social sciences: let a human judge




@lru_cache(maxsize=1)
def _term_index() -> list[tuple[tuple[str, ...], str]]:
    """(stemmed term, canonical field), longest terms first so phrases beat single words."""
    index = [
        (tuple(stem_words(term)), canonical)
        for canonical, (terms, _) in FIELD_TAXONOMY.items()
        for term in terms
    ]
    return sorted(index, key=lambda item: -len(item[0]))


def field_canonicals(text: str) -> list[str]:
    """Known fields named in a text ('a master's in labour law' → ['law'])."""
    return list(_field_canonicals(text))


@lru_cache(maxsize=8192)  # the same requirement and profile texts come back with every question
def _field_canonicals(text: str) -> tuple[str, ...]:
    seq = stem_words(text)
    found: list[str] = []
    used: set[int] = set()
    for term, canonical in _term_index():
        n = len(term)
        for i in range(len(seq) - n + 1):
            if tuple(seq[i:i + n]) == term and not used.intersection(range(i, i + n)):
                used.update(range(i, i + n))
                if canonical not in found:
                    found.append(canonical)
    return tuple(found)


def field_groups(text: str) -> frozenset[str]:
    groups: set[str] = set()
    for canonical in field_canonicals(text):
        groups |= FIELD_TAXONOMY[canonical][1]
    return frozenset(groups)


def matched_field(have: str, need: list[str]) -> str:
    """The listed field a candidate's field falls under ('sociology' → 'social sciences')."""
    have_groups = field_groups(have)
    covered = [f for f in need if field_groups(f) and field_groups(f) <= have_groups]
    # the most specific listed field wins: economics over social sciences for "économie"
    return max(covered, key=lambda f: len(field_groups(f)), default="")


# Words that many fields share and that say nothing of the subject ("international relations"
# and "international business" are not related by "international").
_BROAD_STEMS = frozenset(stem_words("international studies study science sciences general "
                                    "applied advanced other related relevant field fields"))


def field_relation(have: str, need: list[str], related_ok: bool) -> Literal[
        "only", "listed", "related", "unrelated", "unclear"]:
    """How a candidate's field stands against the fields a requirement lists."""
    have_groups = field_groups(have)
    have_stems = set(stem_words(have))
    for f in need:
        need_groups = field_groups(f)
        # the candidate's field must cover the listed one: international law ⊇ law and
        # sociology ⊇ social sciences, but political science is not economics
        direct = (need_groups and need_groups <= have_groups) or (
            not need_groups and set(stem_words(f)) and set(stem_words(f)) <= have_stems)
        if direct:
            return "only" if len(need) == 1 else "listed"
    if not related_ok:
        return "unrelated"
    # "urban design" beside "urban planning", "public health" beside "health informatics":
    # a subject word shared with a listed field, where related fields are accepted
    shared = {s for f in need for s in set(stem_words(f)) & have_stems} - _BROAD_STEMS
    if shared:
        return "related"
    if not have_groups:
        return "unclear"
    need_groups = frozenset().union(*(field_groups(f) for f in need)) if need else frozenset()
    for g in have_groups:
        near = _NEAR.get(g)
        if near is not None and near & need_groups:
            return "related"
        if g in _POLICY and need_groups & (_POLICY | {"communications"}):
            return "related"
        if g in _POLICY and need_groups & {"data_science"}:
            return "related" if g in {"economics", "social_science"} else "unclear"
    if have_groups & _AMBIGUOUS:
        return "unclear"
    return "unrelated"
