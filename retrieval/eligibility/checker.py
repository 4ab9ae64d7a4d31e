"""`EligibilityChecker`: answers "am I eligible?" questions from the postings' requirement texts."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Protocol

from retrieval.eligibility.matching import CheckMemo, check, checked
from retrieval.eligibility.periods import warm_up as warm_periods
from retrieval.eligibility.profile import corrected_text, english_reading, parse_profile
from retrieval.eligibility.relevance import ExperienceRelevance
from retrieval.eligibility.render import (
    ListMode,
    listed,
    ranked_verdicts_text,
    single_verdict_text,
    verdict_excerpt,
)
from retrieval.eligibility.requirements import derive_requirements
from retrieval.eligibility.vocabulary import SECTION, lexicon_for
from retrieval.lexicon import degrees as degree_words
from retrieval.models import Answer, AnswerMode, Citation, Posting, Profile, Requirement, Verdict
from retrieval.text import asking_clauses, fold

# ---- answers --------------------------------------------------------------------------------

def _blocks_key(posting: Posting) -> tuple[str, ...]:
    return tuple(text for block in (posting.education, posting.experience, posting.languages,
                                    posting.skills) for text in (block.minimum, block.desirable))


class Catalog(Protocol):
    def all(self) -> list[Posting]: ...

    def get(self, posting_id: str) -> Posting | None: ...


_STATUS_ORDER = {"eligible": 0, "cannot_tell": 1, "not_eligible": 2}

@lru_cache(maxsize=256)
def _parsed_profile(text: str, today: date) -> Profile:
    return parse_profile(text, today)


_SELF = re.compile(
    r"\b(i|i'm|i've|im|ive|my|me|mine|je|j'ai|j|moi|mon|ma|mes|yo|tengo|soy|mi|mis|hablo|"
    r"someone|somebody|anyone|a candidate|an applicant|a person|quelqu'un|alguien|"
    r"un candidat|un candidato|an? [a-z]+ (?:national|citizen))\b")
_CLAIM = re.compile(
    r"\b(i have|i've|i hold|i am|i'm|i speak|i studied|i worked|i work|i got|i earned|"
    r"i completed|i graduated|i only|i also|i did|my (experience|background|profile|languages?|"
    + degree_words.names("advanced", "first", "generic", phrases=False, typed=True) + r")|"
    r"with (an?|my|\d+|two|three|four|five|six|seven|eight|nine|"
    r"ten)\b|j'ai|je suis|je parle|tengo|soy|hablo|he trabajado|cuento con|"
    # "can a japanese national apply?": a candidate described by the question
    r"(?:can|could|may) (?:an?|someone|somebody|anyone)\b[^?]{0,40}\bapply)")
_ASKS_REQUIREMENT = re.compile(
    r"\b(?<!no )(need|needs|needed|require|requires|required|requirement|necessary|mandatory|"
    r"must|exige|exigee?s?|faut|necesita|requiere|requisito)\b")
_AGE_NATIONALITY = re.compile(
    r"\b(age|aged|old|older|younger|too old|years old|nationality|nationalities|national|"
    r"citizen|citizenship|passport|country of origin|nationalite|nacionalidad|edad|age limit|"
    r"limite d'age|limite de edad)\b")


# "Which postings can I apply to / fit me / do I qualify for?": every posting, ranked
_WHICH_POSTINGS = re.compile(
    r"\b(?:which|what)(?:\s+(?:of|the|these|those|your|five|jpo|un|[a-z]{2,8}))"
    r"{0,4}?\s+(?:postings?|posts?|"
    r"jobs?|positions?|vacanc\w+|roles?|jpos?|ones|of them)\b"
    r"|\b(?:any|all|each) (?:of )?(?:the |these |those |your |five )*(?:jpo )?(?:postings?|posts?|"
    r"jobs?|positions?|vacanc\w+|roles?|jpos?|ones)\b"
    r"|\b(?:quels|quelles|lesquels|lesquelles|a quels|a quelles) (?:\w+ )?(?:postes|offres|"
    r"annonces)?\b|\b(?:cuales|a cuales|que puestos|a que puestos|que vacantes)\b")
# "How do I fit each of them?": every posting with its verdict, not only those that fit
_EACH_POSTING = re.compile(
    r"\b(?:each|every|all) (?:of )?(?:the |these |those |your |five )*(?:jpo )?(?:postings?|"
    r"posts?|jobs?|positions?|vacanc\w+|roles?|jpos?|ones|of them)\b|\bfor each\b|"
    r"\b(?:chaque|chacun|tous les|toutes les|cada|todos los|todas las|jede\w*|alle)\b")
# "Only list the ones I qualify for"
_ONLY_ELIGIBLE = re.compile(
    r"\b(only|just) (?:list|show|give|tell|name)\b|\bonly the ones\b|\bjust the ones\b"
    r"|\bno need to go through the others\b|\b(?:seulement|uniquement) (?:ceux|celles|les postes)"
    r"|\bsolo (?:los|las|aquellos|aquellas) (?:que|a los que|en los que)")


class EligibilityChecker:
    """Answers "am I eligible?" questions from the postings' own requirement texts.
    `today` dates open periods in profiles ("since January 2022"); the real date by default."""

    def __init__(self, catalog: Catalog, today: Callable[[], date] = date.today,
                 relevance: ExperienceRelevance | None = None) -> None:
        self.catalog = catalog
        self.today = today
        # judges experience told in another field (needs the embedding model; optional)
        self.relevance = relevance
        # Keyed by the qualification texts requirements are read from (nothing else of a
        # posting enters them): postings with the same blocks share one list, read once.
        self._cache: dict[tuple[str, ...], list[Requirement]] = {}
        # One object per distinct requirement, so that checks can be memoised by identity
        # across postings whose blocks differ but share sentences.
        self._interned: dict[str, Requirement] = {}
        self._of_posting: dict[tuple[str, str], list[Requirement]] = {}

    def requirements(self, posting: Posting) -> list[Requirement]:
        found = self._of_posting.get((posting.id, posting.content_hash))
        if found is not None:
            return found
        key = _blocks_key(posting)
        if key not in self._cache:
            self._cache[key] = [self._interned.setdefault(r.model_dump_json(), r)
                                for r in derive_requirements(posting)]
        self._of_posting[(posting.id, posting.content_hash)] = self._cache[key]
        return self._cache[key]

    def warm_up(self) -> None:
        """Parse a profile with a dated period once, and read the month names of every
        language: dateparser compiles its locale and time zone patterns on first use (~2 s
        each), which must not land on a user's question. The lexicons load with them."""
        self.parse_profile("I have worked in labour law since January 2020 and speak English.")
        warm_periods()
        for language in ("en", "fr", "es"):
            lexicon_for(language)

    def parse_profile(self, text: str) -> Profile:
        # One message is read several times while it is answered (a story to note? a question
        # about oneself? the verdict): parsed once, each caller given its own copy.
        return _parsed_profile(text, self.today()).model_copy(deep=True)

    def check(self, profile: Profile, posting: Posting, language: str = "en") -> Verdict:
        return check(profile, posting, language, self.requirements(posting),
                     relevance=self.relevance)

    def rank(self, profile: Profile, postings: list[Posting] | None = None,
             language: str = "en") -> list[tuple[Posting, Verdict]]:
        """Eligible first, then cannot-tell, then not eligible; within a status the closer fit
        (explicit matches, preferred focus, desirable requirements met) comes first."""
        pool = postings if postings is not None else self.catalog.all()
        # A verdict depends on the profile and the posting's requirements only: postings
        # sharing their requirement texts (boilerplate across a job board) are checked once.
        by_requirements: dict[int, Verdict] = {}
        memo: CheckMemo = {}
        pairs: list[tuple[Posting, Verdict]] = []
        for p in pool:
            reqs = self.requirements(p)
            seen = by_requirements.get(id(reqs))
            if seen is None:
                seen, own = checked(profile, p, language, reqs, memo, self.relevance)
                if not own:
                    by_requirements[id(reqs)] = seen
                pairs.append((p, seen))
            else:
                pairs.append((p, seen.model_copy(update={"posting_id": p.id})))
        return sorted(pairs, key=lambda pv: (_STATUS_ORDER[pv[1].status], -pv[1].score,
                                             -pv[1].desirable_met))

    @staticmethod
    def profile_in(question: str, profile: Profile) -> bool:
        """Whether a question describes a candidate, not just asks about requirements."""
        folded = fold(question).replace("’", "'")
        facts = sum([
            bool(profile.has_degree or profile.degree_field or profile.no_degree
                 or profile.degree_in_progress),
            profile.years_experience is not None, bool(profile.languages),
            profile.age is not None, bool(profile.nationality),
        ])
        if not facts:
            return False
        if _SELF.search(folded) and _CLAIM.search(folded):
            return True
        # "MEng in industrial engineering and 3 years as a labour inspector. Eligible for
        # NORMES?": a self-description needs no pronoun
        # "which requirements does it need?" asks about the posting; "… working on mandatory
        # due diligence law. which can i apply to?" describes the candidate: the asking
        # clause decides
        return facts >= 2 and not _ASKS_REQUIREMENT.search(" ".join(asking_clauses(folded)))

    def corrected(self, previous: str, correction: str) -> str:
        """The self-description `previous` as a later message corrects or completes it."""
        return corrected_text(previous, correction, self.today())

    @staticmethod
    def about_writer(text: str) -> bool:
        """Whether a message speaks of its writer ("I", "my", "j'ai", "tengo"…)."""
        return bool(_SELF.search(fold(text).replace("’", "'")))

    def describes_candidate(self, question: str) -> bool:
        """Whether a message tells at least two of degree, experience and languages about the
        writer: a self-description, whatever words its question uses ("Is the creative
        economy JPO open to me?", "Could I be a candidate for NORMES?")."""
        profile = self.parse_profile(english_reading(question))
        told = sum([
            bool(profile.has_degree or profile.degree_field or profile.no_degree
                 or profile.degree_in_progress),
            profile.years_experience is not None, bool(profile.languages)])
        return told >= 2 and self.profile_in(question, profile)

    def answer(self, question: str, posting_ids: list[str] | None,
               language: str = "en") -> Answer | None:
        basis = question
        question = english_reading(question)
        profile = self.parse_profile(question)
        if not self.profile_in(question, profile):
            return None
        lex = lexicon_for(language)
        folded = fold(question).replace("’", "'")
        only_eligible = bool(_ONLY_ELIGIBLE.search(folded))
        which = bool(_WHICH_POSTINGS.search(folded))
        if which or only_eligible:
            posting_ids = None  # "which postings can I apply to?" is about all of them
        if posting_ids:
            postings = [p for p in (self.catalog.get(i) for i in posting_ids) if p is not None]
        else:
            postings = self.catalog.all()
        if not postings:
            return None
        if len(postings) == 1 and not only_eligible:
            posting = postings[0]
            verdict = self.check(profile, posting, language)
            text = single_verdict_text(posting, verdict, lex)
            ranked = [(posting, verdict)]
        else:
            ranked = self.rank(profile, postings, language)
            # Postings the question names ("the WHO digital health JPO", two of them) each
            # get their verdict; "which postings can I apply to?" lists those that may fit.
            mode: ListMode = ("only_eligible" if only_eligible
                              else "fitting" if (which or not posting_ids)
                              and not _EACH_POSTING.search(folded) else "all")
            text = ranked_verdicts_text(ranked, lex, mode)
            ranked = listed(ranked, mode) or ranked  # cite what the answer lists
        stated = any(c.requirement.kind in {"nationality", "age"} for _p, v in ranked
                     for c in v.checks)
        if not stated and (_AGE_NATIONALITY.search(fold(question)) or profile.age
                           or profile.nationality):
            # only where the postings checked state no such rule themselves
            text += "\n\n" + lex["age_nationality"]
        # Postings checked once share their verdict's checks (see `rank`): one excerpt each.
        excerpts: dict[int, str] = {}
        citations = [Citation(posting_id=p.id, title=p.title, section=SECTION,
                              excerpt=excerpts.get(id(v.checks))
                              or excerpts.setdefault(id(v.checks), verdict_excerpt(v)))
                     for p, v in ranked]
        return Answer(text=text, found=True, citations=citations, intent="eligibility",
                      posting_ids=[p.id for p, _ in ranked], mode=AnswerMode.ELIGIBILITY,
                      profile_basis=basis)
