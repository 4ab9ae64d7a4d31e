"""`ExtractiveAnswerer`: grounded answers from the structured records of one index snapshot.

(A little over 400 lines as one file: what a turn is routed to — a field, the corpus, a
verdict, a follow-up of the previous turn — is decided in one place; the answers themselves
live in the mixins it is made of.)"""

from __future__ import annotations

import re
from dataclasses import replace

from retrieval.answering.common import FIELD_INTENTS, fields_asked, frames, question_patterns
from retrieval.answering.conversation import Turn
from retrieval.answering.corpus import CorpusAnswers
from retrieval.answering.fields import FieldAnswers
from retrieval.answering.not_stated import NotStatedAnswers
from retrieval.answering.polar import opens_yes_no
from retrieval.answering.posting_words import PostingWords
from retrieval.answering.premises import Premises
from retrieval.answering.scope import names_a_place
from retrieval.answering.sentences import Sentence, SentenceSelection
from retrieval.answering.similarity import SentenceSimilarity
from retrieval.compare import PostingComparer
from retrieval.eligibility import EligibilityChecker
from retrieval.models import Answer
from retrieval.resolver import PostingResolver, naming_words
from retrieval.retriever import HybridRetriever
from retrieval.spelling import Speller
from retrieval.store import IndexSnapshot
from retrieval.text import asking_clauses, clauses, fold, words
from retrieval.understanding import (
    Query,
    analyse,
    detect_language,
    without_posting_reference,
    without_titles,
)

# The intent of a turn that only told something about the writer (its text is kept).
NOTED = "profile_noted"
# the answer to "am I eligible for …?" from someone who has said nothing about themselves yet:
# what the posting requires and what to tell; the reply is checked against the same postings
PROFILE_WANTED = "profile_wanted"


class ExtractiveAnswerer(FieldAnswers, CorpusAnswers, NotStatedAnswers, SentenceSelection):
    """Answers from the structured records of one index snapshot."""

    def __init__(self, snapshot: IndexSnapshot, retriever: HybridRetriever,
                 eligibility: EligibilityChecker,
                 similarity: SentenceSimilarity | None = None) -> None:
        self.snap = snapshot
        self.similarity = similarity
        self.postings = snapshot.postings
        self.retriever = retriever
        self.eligibility = eligibility
        self.resolver = PostingResolver(self.postings)
        self.speller = Speller(self.postings)
        self.premises = Premises(self.postings)
        self.comparer = PostingComparer(eligibility)
        # Per-snapshot caches for questions over all postings (built on first use).
        self._words: PostingWords | None = None
        # Per posting: its sections' sentences, each with its folded text and folded words,
        # and its whole folded text (corpus-wide "mention" questions scan them all).
        self._sentences: dict[str, list[tuple[str, list[Sentence]]]] = {}
        self._sentences_of_text: dict[str, list[Sentence]] = {}
        self._folded_texts: dict[str, bytes] = {}
        self._glossed_df: dict[str, int] | None = None

    def prepare(self) -> None:
        """Build the per-snapshot caches of corpus-wide questions now (at index/load time)
        rather than during the first such question."""
        self._posting_words()
        for p in self.postings:
            self._posting_sentences(p)
            self._folded_text(p)
            self.eligibility.requirements(p)
        self._glossed_frequencies()
        self._scope_reader()
        if self.postings:
            self._label(self.postings[0])  # what labels add to titles

    # ---- entry point --------------------------------------------------------------------------

    def answer(self, question: str, context_postings: list[str] | None = None,
               previous: Turn | None = None) -> Answer:
        """The answer to a question; `context_postings` and `previous` (the conversation's
        last turn) make follow-ups work."""
        return cap_lists(self._answer(question, context_postings, previous))

    def _answer(self, question: str, context_postings: list[str] | None = None,
                previous: Turn | None = None) -> Answer:
        language = detect_language(question)
        corrected = self.speller.correct(question, language)
        q = analyse(corrected, self.speller.cognates(corrected, language))
        f = frames(q.language)
        if not self.postings:
            return Answer(text=f["nothing"], found=False, intent="empty")
        if q.injection and not q.clean.strip(" ?.!,"):
            return Answer(text=f["injection"], found=False, intent="injection")
        if q.thanks and not q.intents:
            return Answer(text=f["thanks"], found=True, intent="greeting")
        if q.greeting and not q.intents:
            return Answer(text=f["greeting"].format(n=len(self.postings)), found=True,
                          intent="greeting")
        named = self._named(q)
        if named:
            q = without_titles(q, [self.snap.by_id[i] for i in named if i in self.snap.by_id])
        if "duty_station" in q.intents and not question_patterns()[1].search(q.folded) \
                and not question_patterns()[1].search(fold(q.english)) \
                and not self.premises.places_in(q) and not names_a_place(q.folded):
            # "how many workers are in the informal economy?": "are in" before no place
            q = replace(q, intents=[i for i in q.intents if i != "duty_station"],
                        part_intents=[i for i in q.part_intents if i != "duty_station"])
        if named and "supervisor" not in q.intents and self.premises.people_in(q) \
                and _ABOUT_A_PERSON.search(q.english) \
                and (q.confirming or not set(q.intents) & FIELD_INTENTS):
            # "who is lisa tortell?", "roelans is the director, right?", "lisa tortell is an
            # economist right? which section is she in": the person's role (too).
            q = replace(q, intents=["supervisor", *q.intents],
                        part_intents=[i for i in q.intents if i in FIELD_INTENTS][:1]
                        + q.part_intents)
        if "compare" in q.intents:
            return self.comparer.answer(q, question, self.resolver, self.snap.by_id,
                                        context_postings or [])
        # what the writer told about themselves so far: noted, or checked in a verdict ("am I
        # eligible for the NORMES one?" after one is checked against the same profile)
        told_before = previous.profile if previous is not None \
            and previous.intent in {NOTED, "eligibility"} else ""
        after_verdict = previous is not None and previous.intent == "eligibility"
        if previous is not None and previous.intent == PROFILE_WANTED \
                and "?" not in q.clean and not q.not_stated \
                and set(q.intents) <= {"languages", "education", "experience", "duration"} \
                and self.eligibility.parse_profile(q.clean).has_facts():
            # the reply to "tell me your degree, years and languages": "master in economics,
            # 3 years in labour market research, fluent english"
            verdict = self.eligibility.answer(q.clean, previous.posting_ids or None, q.language)
            if verdict is not None:
                return verdict
        if not after_verdict and self._tells_about_self(q):
            # (after a verdict, the same words correct the profile it used: `_asked_again`)
            # "I have an MSc in economics (2022)" alone, or the next part of such a story:
            # kept for the question that comes ("am I eligible for the due diligence JPO?")
            basis = self.eligibility.corrected(told_before, q.clean) if told_before else q.clean
            return Answer(text=f["profile_noted"], found=True, intent=NOTED,
                          profile_basis=basis)
        if previous is not None:
            again = self._asked_again(q, named, previous, context_postings or [])
            if isinstance(again, Answer):
                return again
            q = again
        if "eligibility" not in q.intents and self._asks_about_self(q):
            q = replace(q, intents=["eligibility"])
        if "eligibility" in q.intents:
            if after_verdict and context_postings:
                named = self._story_named(q, named)
            asked = None if q.corpus_scope else (self._asked_posting(q) or named
                                                 or context_postings or None)
            about = self.eligibility.corrected(told_before, q.clean) if told_before else q.clean
            verdict = self.eligibility.answer(about, asked, q.language)
            if verdict is not None:
                return verdict
            intents = [i for i in q.intents if i != "eligibility"]
            told = self.eligibility.parse_profile(q.clean).has_facts()
            if not set(intents) & FIELD_INTENTS and told:
                # "Can I apply with only a bachelor's?" tells too little for a verdict: what
                # the posting requires is the answer.
                intents = ["requirements", *intents]
            elif not intents and not told and not q.not_stated and (
                    q.corpus_scope or not question_patterns()[0].match(q.folded)):
                # "am I eligible for the AI job?", "which postings can I apply to?" from
                # someone who has told nothing yet ("how can I apply", "how often do I meet
                # Oliver" are other questions)
                return self._profile_wanted(q, [] if q.corpus_scope else asked or [])
            # Otherwise "do i meet" was no eligibility question ("how often do i meet oliver").
            q = replace(q, intents=intents)
        if "count" in q.intents:
            return self._conditional_count(q) or self._count(q)
        if not q.corpus_scope and self._scope_asks_several(q):
            q = replace(q, corpus_scope=True)  # "which of the UNEP and UNHCR postings…"
        corpus = q.corpus_scope and not (named and not q.mentions and len(named) == 1
                                         and not re.search(r"\b(which|any|all|how many)\b",
                                                           q.english))
        if corpus:
            answer = self._corpus(q)
            if answer is not None:
                return answer
        ids = named or context_postings or []
        if not ids:
            return self._unscoped(q)
        posts = [self.snap.by_id[i] for i in ids if i in self.snap.by_id]
        if len(posts) == 1:
            return self._one(q, posts[0])
        return self._several(q, posts)

    def _profile_wanted(self, q: Query, asked: list[str]) -> Answer:
        """What to tell for a verdict, after what the asked postings require."""
        lead = frames(q.language)["profile_wanted"]
        posts = [self.snap.by_id[i] for i in asked if i in self.snap.by_id]
        if not posts:
            return Answer(text=lead, found=True, intent=PROFILE_WANTED)
        wanted = replace(q, intents=["requirements"], part_intents=[])
        needs = self._one(wanted, posts[0]) if len(posts) == 1 else self._several(wanted, posts)
        return needs.model_copy(update={"text": f"{lead}\n\n{needs.text}",
                                        "intent": PROFILE_WANTED, "found": True})

    def _asked_again(self, q: Query, named: list[str], previous: Turn,
                     context: list[str]) -> Query | Answer:
        """A follow-up that asks the previous question again: about another posting ("what
        about the NORMES one?", "sorry, I meant the due diligence post") or, after an
        eligibility check, with the profile corrected ("actually it's closer to five years",
        "my English is only B1"). Otherwise the question as it is."""
        # A question of its own: a field, or a topic the postings never state ("what is the
        # salary of the AI post?" after an eligibility check is not a re-check).
        own = [i for i in q.intents if i in FIELD_INTENTS
               # "what about the one in Amman?", "sorry, I meant the Geneva one" name a
               # posting; they ask no summary and no duty station
               and not (q.continues and (i == "summary" or (
                   i == "duty_station" and not question_patterns()[1].search(q.folded))))] + (
            [q.not_stated] if q.not_stated else [])
        if own and q.continues:
            # "what about the one supervised by Oliver Liang?": the field names the posting
            left = analyse(without_posting_reference(q.folded))
            own = [i for i in own if i in left.intents or i == q.not_stated]
        if previous.intent == "eligibility" and previous.profile and "eligibility" not in q.intents:
            told = self.eligibility.parse_profile(q.clean)
            tells = told.has_facts() and self.eligibility.about_writer(q.clean)
            # "I forgot my MSc — does that change anything for the AI post?": the asking
            # clause names the posting; the facts' words ("I wasn't working") name none
            asked_in = self._story_named(q, named) if tells else named
            if asked_in and not own and (q.continues or len(words(q.clean)) <= 12 or tells):
                # "and the NORMES one?", or the profile amended by what the message tells
                profile = self.eligibility.corrected(previous.profile, q.clean) if tells \
                    else previous.profile
                verdict = self.eligibility.answer(profile, asked_in, q.language)
                if verdict is not None:
                    return verdict
            if told.has_facts() and self._amends_profile(q, asked_in, own):
                verdict = self.eligibility.answer(self.eligibility.corrected(previous.profile,
                                                                            q.clean),
                                                  context or None, q.language)
                if verdict is not None:
                    return verdict
        asked = previous.asked
        if asked and set(asked) <= FIELD_INTENTS and named and not own \
                and "eligibility" not in q.intents and (
                q.continues or len(words(q.clean)) <= 8):
            return replace(q, intents=asked[:1], part_intents=asked[1:])
        return q

    def _amends_profile(self, q: Query, named: list[str], own: list[str]) -> bool:
        """Whether a message with facts about the writer, after a verdict, adds to or corrects
        the profile it used: "wait, I also worked at the ministry of labour from 2020 to 2022
        on labour market statistics" (words a posting's body uses name no posting here), "my
        English is more like B1, is that a problem?" (the question asks about the verdict).
        Not when it names a posting ("and the NORMES one?") or asks for a field ("my English
        is B1 — which languages does it need?")."""
        if named and (naming_words(q.english) or not self.eligibility.about_writer(q.clean)):
            return False
        if not own or "?" not in q.clean:
            return True
        asked = [part for part in re.findall(r"[^.!?,;:]*\?", q.clean) if part.strip()]
        return not any(set(analyse(part).intents) & FIELD_INTENTS for part in asked)

    def _tells_about_self(self, q: Query) -> bool:
        """A message that tells something about the writer and asks nothing: no question
        mark, no question word, no intent but those its own facts trigger ("English is my
        native language" names a language), too little for a verdict on its own."""
        clauses = [c.strip(" ¿¡-") for c in re.split(r"[,;:.!]|\b(?:and|or|et|ou|y|o)\b",
                                                     q.folded)]
        if "?" in q.clean or any(question_patterns()[0].match(c) for c in clauses) \
                or opens_yes_no(q):
            return False
        profile = self.eligibility.parse_profile(q.clean)
        # the facts' own words: "fluent English", "a master's", and "5 years of research"
        # (a duration, when it is the writer's experience)
        own = {"languages", "education", "experience"} | (
            {"duration"} if profile.years_experience and (profile.has_degree or profile.languages)
            else set())
        if not set(q.intents) <= own or q.not_stated:
            return False  # "who supervises it", "the jpo is 2 yrs i think" (a claim)
        if naming_words(q.english) or re.search(r"\b(post|vacancy|chiffre)\s*(no\.?|number|"
                                                r"#)?\s*\d", q.folded):
            # "6 yrs of experience, too much for the vulnerable work post" is about a posting
            # ("worked on due diligence at an NGO" is not, though a posting's words are there)
            return False
        return self.eligibility.about_writer(q.clean) and profile.has_facts()

    def _asked_posting(self, q: Query) -> list[str]:
        """The postings the asking clause names ("… policy officer on AI and streaming
        royalties. am i eligible for the creative sectors & digital economy jpo?"): the story
        before it tells about the candidate, and its words may name another posting."""
        asked = asking_clauses(q.clean)
        if len(asked) == len(clauses(q.clean)):
            return []  # the whole message asks
        # "between the standards one, the due diligence one and the creative one, which can i
        # apply to?": each part of a list names a posting, as in a comparison
        asking = analyse(" ".join(asked))
        named = self.comparer.named_in(asking, self.resolver)
        if named and naming_words(asking.english):
            return named
        # "Quick check for the AI post with the DDG. Timeline: … 4+ years of work in total, so
        # I'm fine right?": a posting named as one ("the … post") where the message tells
        # nothing about the writer, rather than the words of the asking clause ("work")
        plain = [c for c in clauses(q.clean) if c not in asked
                 and not self.eligibility.parse_profile(c).has_facts()
                 and naming_words(analyse(c).english)]
        said = self.comparer.named_in(analyse(" ".join(plain)), self.resolver) if plain else []
        return said or named

    def _story_named(self, q: Query, named: list[str]) -> list[str]:
        """The postings a message that tells about the writer, after a verdict, asks about:
        those its asking clause names ("I forgot my MSc — does that change anything for the
        AI post?"), none when nothing in it asks ("sorry, I only started there in Sept 2023,
        I wasn't working before": "working" names no posting, the conversation's does)."""
        if "?" not in q.clean:
            return []
        asking = asking_clauses(q.clean)
        return named if len(asking) == len(clauses(q.clean)) else self._asked_posting(q)

    def _asks_about_self(self, q: Query) -> bool:
        """A self-description followed by a question that asks for no field of its own ("…
        7 years at a collecting society. Is the creative economy JPO open to me?"): the
        question is whether the writer fits, and the description's "years" or "English" are
        no questions about duration or languages."""
        if "compare" in q.intents or not self.eligibility.describes_candidate(q.clean):
            return False
        asked = " ".join(asking_clauses(q.clean))
        own = analyse(asked)
        return not (set(own.intents) & FIELD_INTENTS) and not own.not_stated

    def _named(self, q: Query) -> list[str]:
        """The postings the question is about. A person or unit it names points at their
        posting ("the hobden post", "who supervises the NORMES post?") — unless the rest of
        the question clearly names another posting, when it is a claim about that one: "lisa
        tortell supervises the creative economy post, right?" is about the creative one."""
        named = self.resolver.resolve(q.clean, q.english)
        # an organisation names its postings ("the UNESCO JPO in Beirut"); it is no claim
        # about a unit, though a posting's unit may carry its name
        organisations = {fold(p.organisation) for p in self.postings if p.organisation}
        claimed = [c for c in self.premises.claimed_values(q) if fold(c) not in organisations]
        naming = naming_words(q.clean)
        if not claimed or {fold(c) for c in claimed} <= naming:
            return named  # "am I eligible for the NORMES job?": the unit names the posting

        theirs = list(dict.fromkeys(
            [i for s in self.premises.people_in(q) for i in self.premises.people[s]]
            + [i for u in self.premises.units_in(q) for i in self.premises.units[u]]))
        pattern = re.compile(r"(?i)\b(" + "|".join(map(re.escape, claimed)) + r")\b")
        ranked = self.resolver.scores(pattern.sub(" ", q.clean), pattern.sub(" ", q.english))
        top = ranked[0][1] if ranked else 0.0
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        # "the creative sectors jpo is in NORMES, isn't it?": words before "jpo" name it
        floor = _CLEARLY_NAMED / 2 if naming - {fold(c) for c in claimed} else _CLEARLY_NAMED
        if top >= floor and top >= 2 * second and ranked[0][0].id not in theirs:
            return [ranked[0][0].id]
        return theirs or named


    def _unscoped(self, q: Query) -> Answer:
        f = frames(q.language)
        if q.not_stated and not fields_asked(q):
            return self._not_stated(q, self.postings)
        field_intents = [i for i in q.intents if i in FIELD_INTENTS]
        if field_intents:
            if len(self.postings) == 1:
                return self._one(q, self.postings[0])
            return self._several(q, self.postings)
        if q.injection:
            return Answer(text=f["injection"], found=False, intent="injection")
        text, cites, found = self._general(q, None, f)
        if not found:
            if not cites:
                return Answer(text=f["offtopic"].format(n=len(self.postings)), found=False,
                              intent="offtopic")
            return Answer(text=text, found=False, citations=cites, intent="general")
        ids = list(dict.fromkeys(c.posting_id for c in cites))
        return Answer(text=text, found=True, citations=cites, intent="general", posting_ids=ids)


# a whole list of forty postings' lines stays within one Telegram message (4,096 characters)
MAX_LISTED = 35
# "who is lisa tortell?", "roelans is the director, right?", "what's oliver's role": a question
# about the person named, answered by the supervisor line that describes them.
_ABOUT_A_PERSON = re.compile(
    r"\b(who|role|title|position|director|head|function|job title|his job|her job|"
    r"what does (he|she) do|is (he|she)|(is|was) (an?|the) \w+(ist|er|or|ian|ant))\b")
# A posting score (PostingResolver.scores) at which the question names that posting by its own
# title or topic words, not by a stray word.
_CLEARLY_NAMED = 4.0


def cap_lists(answer: Answer, limit: int = MAX_LISTED) -> Answer:
    """Keep corpus-wide answers readable on a large corpus: at most `limit` bullets in a row,
    at most `limit` names in a "; "-joined group, and citations for what is shown."""
    out: list[str] = []
    run = hidden = 0
    for line in answer.text.split("\n"):
        if line.startswith("• "):
            run += 1
            if run > limit:
                hidden += 1
                continue
            head, sep, names = line.partition(": ")
            parts = names.split("; ")
            if sep and len(parts) > limit:
                line = f"{head}: {'; '.join(parts[:limit])}; … (+{len(parts) - limit})"
        else:
            if hidden:
                out.append(f"• … (+{hidden})")
            run = hidden = 0
        out.append(line)
    if hidden:
        out.append(f"• … (+{hidden})")
    text = "\n".join(out)
    if text == answer.text and len(answer.citations) <= limit * 2:
        return answer
    shown = list(dict.fromkeys(c.posting_id for c in answer.citations))[: limit]
    return answer.model_copy(update={
        "text": text,
        "citations": [c for c in answer.citations if c.posting_id in shown]})
