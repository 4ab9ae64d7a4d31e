"""Questions over all postings: counts, durations, stations, grades, languages, degrees, years,
mentions, lists compared.

(Longer than our usual modules: every corpus-wide answer is a method of the one `CorpusAnswers`
mix-in and shares its per-snapshot caches — labels, scopes, education words; splitting the
question kinds over several mix-ins would spread those caches too.)"""

from __future__ import annotations

import re
from dataclasses import replace

from rapidfuzz import fuzz

from retrieval.answering.base import AnswererBase
from retrieval.answering.common import (
    FIELD_INTENTS,
    LANGUAGE_LABEL,
    LANGUAGE_NAMES,
    cite,
    fields_asked,
    frames,
    inline,
    trim_around,
)
from retrieval.answering.posting_words import PostingWords
from retrieval.answering.questions import (
    TIME_AMOUNT,
    absent_names,
    asked_degree_level,
    asked_duration_text,
    asked_month,
    asked_months,
    asked_years,
    degree_fields,
    intent_words,
    longest_phrase,
)
from retrieval.answering.scope import (
    Scope,
    ScopeReader,
    label_differences,
    posting_label,
    without_scope,
)
from retrieval.answering.sentences import Sentence
from retrieval.chunking import section_label
from retrieval.eligibility import accepts_language, education_field_match
from retrieval.models import Answer, Posting
from retrieval.text import FOREIGN_FUNCTION_WORDS, fold, words
from retrieval.understanding import Query, rare_terms, word_forms


class CorpusAnswers(AnswererBase):
    """Mixed into `ExtractiveAnswerer`, whose attributes (snap, postings, retriever,
    eligibility) and other parts it uses."""

    _scopes: ScopeReader | None = None  # built on first use, per snapshot
    # What labels add to titles (organisation, city), for the postings list it was read from.
    _label_parts: tuple[bool, bool] = (False, False)
    _label_for: list[Posting] | None = None
    # The words of every posting's education requirements (which words can name a field)
    _education_vocabulary: set[str] | None = None
    _education_for: list[Posting] | None = None

    def _count(self, q: Query) -> Answer:
        f = frames(q.language)
        lines = [f["count"].format(n=len(self.postings))]
        posts, scope = self._in_scope(q)
        if scope:
            lines = [f["count_of"].format(k=len(posts), n=len(self.postings))]
            lines += [f"• {self._label(p)}" for p in posts]
        else:
            lines += [f"• {p.title} — {p.duty_station or '?'}" for p in posts]
        return Answer(text="\n".join(lines), found=True, intent="count",
                      citations=[cite(p, "summary", p.title) for p in posts],
                      posting_ids=[p.id for p in posts])

    def _conditional_count(self, q: Query) -> Answer | None:
        """"How many postings require an advanced degree?": the corpus-wide answer to the
        condition, headed by how many postings meet it."""
        asked = [i for i in q.intents if i != "count"]
        if not asked and not q.mentions:
            return None
        answer = self._corpus(replace(q, intents=asked))
        if answer is None or answer.intent not in _COUNTABLE:
            return None  # an answer that is no list of matching postings: count them all
        head = frames(q.language)["count_of"].format(k=len(answer.posting_ids),
                                                     n=len(self.postings))
        return answer.model_copy(update={"text": f"{head}\n{answer.text}"})

    # ---- which postings, and how an answer names them ---------------------------------------

    def _scope_reader(self) -> ScopeReader:
        if self._scopes is None or self._scopes.postings is not self.postings:
            self._scopes = ScopeReader(self.postings)
        return self._scopes

    def _in_scope(self, q: Query) -> tuple[list[Posting], Scope]:
        """The postings the question restricts itself to (all of them when it names no
        organisation or place), and the scope it named."""
        reader = self._scope_reader()
        scope = reader.read(q)
        return (reader.apply(scope), scope) if scope else (self.postings, scope)

    def _scope_asks_several(self, q: Query) -> bool:
        """The question restricts itself to some postings and asks about several of them."""
        return bool(self._scope_reader().read(q)) and ScopeReader.asks_several(q)

    def _label(self, p: Posting, short: bool = False) -> str:
        if self._label_for is not self.postings:
            self._label_parts = label_differences(self.postings)
            self._label_for = self.postings
        return posting_label(p, self.postings, short=short, differences=self._label_parts)

    def _corpus(self, q: Query) -> Answer | None:
        """A question over all postings, or over those of the organisations and places it
        names ("which UNICEF postings…", "postings outside Geneva")."""
        posts, scope = self._in_scope(q)
        if not scope:
            return self._corpus_over(q, posts)
        f = frames(q.language)
        if not posts and "duty_station" in q.intents and not scope.organisations:
            # "Are any postings outside Geneva?" over Geneva postings only: where they are.
            return self._corpus_over(q, self.postings)
        if not posts:
            return Answer(text=f["scope_none"].format(scope=scope.describe()), found=False,
                          intent="scope")
        answer = self._corpus_over(without_scope(q, scope), posts)
        if answer is not None:
            return answer
        # Nothing asked but the scope ("which postings are in Africa?"): list them.
        lines = [f["scope_list"].format(scope=scope.describe())]
        lines += [f"• {self._label(p)}: {p.duty_station or '?'}" for p in posts]
        return _corpus_answer(lines, posts, "summary", "scope")

    def _corpus_over(self, q: Query, posts: list[Posting]) -> Answer | None:
        f = frames(q.language)
        intents = set(q.intents)
        if q.not_stated and not fields_asked(q):
            return self._not_stated(q, posts)
        if "duration" in intents:
            compared = self._durations_compared(q, posts)
            if compared is not None:
                return compared
            months = asked_months(q.english)
            if months:
                # "which of the posts is NOT 12 months?"
                negated = bool(_NOT_RE.search(q.english))
                hits = [p for p in posts if (p.duration_months == months) != negated]
                label = asked_duration_text(q.english) or _months_label(months)
                if hits:
                    frame = "duration_other" if negated else "duration_match"
                    lines = [f[frame].format(value=label)]
                    lines += [f"• {self._label(p)}: {p.duration}" for p in hits]
                    return _corpus_answer(lines, hits, "summary", "duration")
                return _all_durations(f["duration_none"].format(value=label), posts)
        if "experience" in intents:
            bounds = asked_years(q.english)
            if bounds:
                return self._years_corpus(q, posts, *bounds)
            if _UPPER_LIMIT_RE.search(q.english):
                return self._max_years_corpus(q, posts)
        if "duty_station" in intents and not (intents & {"languages", "education", "experience"}):
            return self._stations(q, posts)
        if "languages" in intents:
            asked = [iso for w, iso in LANGUAGE_NAMES.items() if re.search(rf"\b{w}\b", q.english)]
            if asked:
                return self._languages_corpus(q, posts, list(dict.fromkeys(asked)))
        if "education" in intents or "requirements" in intents:
            fields = degree_fields(q, self._education_words())
            if fields:
                return self._education_corpus(q, posts, fields)
            level = asked_degree_level(q.english)
            if level:
                return self._degree_level_corpus(q, posts, level)
        if "issue_date" in intents:
            month = asked_month(q)
            if month is not None:
                return self._issued_in(q, posts, month)
        if "grade" in intents:
            asked_grade = re.search(r"\b([pgd])\s*-?\s*(\d)\b", q.english)
            if asked_grade:
                grade = f"{asked_grade.group(1)}{asked_grade.group(2)}".upper()
                hits = [p for p in posts if _grade_key(p.grade) == grade]
                lines = [f["grade_match"].format(value=grade) if hits
                         else f["grade_none"].format(value=grade)]
                lines += [f"• {self._label(p)}: {p.grade}" for p in hits]
                others = [p for p in posts if p not in hits]
                if others:
                    lines.append(f["grade_others"])
                    lines += [f"• {self._label(p, short=True)}: {p.grade or f['not_stated_grade']}"
                              for p in others]
                return _corpus_answer(lines, hits or posts, "summary", "grade")
            groups: dict[str, list[Posting]] = {}
            for p in posts:  # "P2" and "P-2" are one grade
                groups.setdefault(_grade_key(p.grade) or f["not_stated_grade"], []).append(p)
            lines = [f["grade_groups"]]
            lines += [f"• {g}: " + "; ".join(self._label(p, short=True) for p in ps)
                      for g, ps in groups.items()]
            return _corpus_answer(lines, posts, "summary", "grade")
        listed = next((i for i in q.intents if i in _LIST_FIELDS), None)
        if listed and len(posts) > 1 and _SAME_OR_DIFFERENT.search(q.english):
            return self._list_differences(q, posts, listed)
        index = self._posting_words()
        # A scope counts within its postings' rows.
        within = None if posts is self.postings else index.rows(posts)
        skip = intent_words() | (FOREIGN_FUNCTION_WORDS if q.language != "en" else set())
        terms = rare_terms(q.english, len(posts), skip=skip,
                           frequency=lambda forms: index.frequency(forms, within))
        if not terms:
            # "Does any posting require Python?": a name no posting contains gets a plain
            # "none mention it", not a list built from the question's other words.
            absent = absent_names(q.clean, lambda forms: index.frequency(forms) > 0)
            if absent:
                return Answer(text=f["mention_none"].format(term=" / ".join(absent)),
                              found=False, intent="mention")
        if terms and (q.mentions or not (intents & FIELD_INTENTS)):
            return self._mentions(q, posts, terms)
        field_intents = [i for i in q.intents if i in FIELD_INTENTS]
        if terms and field_intents and field_intents[0] in _SECTION_KEYS:
            # "Which postings require experience in due diligence?": look in that section only.
            return self._mentions(q, posts, terms, sections=_SECTION_KEYS[field_intents[0]])
        if field_intents:
            return self._several(q, posts)
        if terms:
            return self._mentions(q, posts, terms)
        return None

    def _education_words(self) -> set[str]:
        if self._education_vocabulary is None or self._education_for is not self.postings:
            self._education_vocabulary = {w for p in self.postings for w in words(
                f"{p.education.minimum} {p.education.desirable}")}
            self._education_for = self.postings
        return self._education_vocabulary

    def _list_differences(self, q: Query, posts: list[Posting], field: str) -> Answer:
        """"Do all postings list the same competencies? Which one is different?": postings
        grouped by their lists (items compared fuzzily: "…, and gender-sensitive" and "…;
        gender-sensitive" are one item), the largest group's items, then each other posting
        with what it lists that the largest group does not."""
        f = frames(q.language)
        what = f[f"list_what_{field}"]
        lists = {p.id: [i.strip(" .;") for i in getattr(p, field) if i.strip(" .;")]
                 for p in posts}
        # identical lists first (a job board repeats its boilerplate), then lists alike but
        # for punctuation, among the few distinct ones
        exact: dict[tuple[str, ...], list[Posting]] = {}
        for p in posts:
            exact.setdefault(tuple(sorted(fold(i) for i in lists[p.id])), []).append(p)
        groups: list[list[Posting]] = []
        for same in exact.values():
            home = next((g for g in groups if len(exact) <= _MAX_FUZZY_GROUPS
                         and _same_items(lists[g[0].id], lists[same[0].id])), None)
            if home is None:
                groups.append(list(same))
            else:
                home.extend(same)
        groups.sort(key=len, reverse=True)
        main = lists[groups[0][0].id]
        if len(groups) == 1:
            lines = [f["list_same"].format(n=len(posts), what=what)] + [f"• {i}" for i in main]
            return _corpus_answer(lines, posts, field, field)
        lines = [f["list_majority"].format(k=len(groups[0]), n=len(posts), what=what)]
        lines += [f"• {i}" for i in main]
        lines.append(f["list_only"])
        differing = [p for g in groups[1:] for p in g]
        for p in differing:
            own = [i for i in lists[p.id] if not any(_same_item(i, m) for m in main)]
            lines.append(f"• {self._label(p)}: " + "; ".join(own or lists[p.id]))
        return _corpus_answer(lines, differing, field, field)

    def _issued_in(self, q: Query, posts: list[Posting], month: int) -> Answer:
        """"Which postings were published in January?": those whose month of issue it is."""
        from retrieval.eligibility.periods import month_number

        f = frames(q.language)
        hits = [p for p in posts if any(month_number(w) == month for w in
                                        re.findall(r"[a-z]{3,9}", fold(p.issued)))]
        if not hits:
            lines = [f["issued_none"]] + [f"• {self._label(p, short=True)}: "
                                          f"{p.issued or f['not_stated_grade']}" for p in posts]
            return Answer(text="\n".join(lines), found=True, intent="issue_date",
                          citations=[cite(p, "summary", p.issued) for p in posts],
                          posting_ids=[])
        lines = [f["issued_match"]]
        lines += [f"• {self._label(p)}: {p.issued}"
                  + (f" ({f['label_post_number']} {p.post_number})" if p.post_number else "")
                  for p in hits]
        return _corpus_answer(lines, hits, "summary", "issue_date")

    def _stations(self, q: Query, posts: list[Posting]) -> Answer:
        f = frames(q.language)
        groups: dict[str, list[Posting]] = {}
        for p in posts:
            groups.setdefault(p.duty_station or "?", []).append(p)
        if len(groups) == 1:
            station = next(iter(groups))
            # "Which posts are in Geneva?" asks for the postings: they are named too.
            text = "\n".join([f["station_all_same"].format(n=len(posts), value=station),
                              *(f"• {self._label(p)}" for p in posts)])
            return Answer(text=text, found=True, intent="duty_station",
                          citations=[cite(p, "summary", p.duty_station) for p in posts],
                          posting_ids=[p.id for p in posts])
        lines = [f["station_groups"]]
        lines += [f"• {s}: " + "; ".join(self._label(p, short=True) for p in ps)
                  for s, ps in groups.items()]
        return _corpus_answer(lines, posts, "summary", "duty_station")

    def _languages_corpus(self, q: Query, posts: list[Posting], asked: list[str]) -> Answer:
        f = frames(q.language)
        lines: list[str] = []
        hits: list[Posting] = []
        sections: dict[str, str] = {}
        for iso in asked:
            label = LANGUAGE_LABEL[iso]
            groups: dict[str, list[Posting]] = {"required": [], "accepted": [], "desirable": []}
            for p in posts:
                kind = accepts_language(p, iso, self.eligibility.requirements(p))
                if kind:
                    groups[kind].append(p)
            for group, key in (("required", "lang_required"), ("accepted", "lang_accept"),
                               ("desirable", "lang_desirable")):
                if groups[group]:
                    lines.append(f[key].format(lang=label))
                    lines += [f"• {self._label(p)}: {inline(p.languages.minimum if group != 'desirable' else p.languages.desirable)}"  # noqa: E501
                              for p in groups[group]]
                    hits += groups[group]
                    for p in groups[group]:
                        sections.setdefault(p.id, "languages.desirable" if group == "desirable"
                                            else "languages.minimum")
        if not hits:
            lines = [f["none_match"].format(n=len(posts))]
        uniq = list({p.id: p for p in hits}.values())
        return Answer(text="\n".join(lines), found=True, intent="languages",
                      citations=[cite(p, sections[p.id]) for p in uniq],
                      posting_ids=[p.id for p in uniq])

    def _education_corpus(self, q: Query, posts: list[Posting], fields: list[str]) -> Answer:
        f = frames(q.language)
        lines: list[str] = []
        hits: list[Posting] = []
        for field_name in fields:
            match = {p.id: education_field_match(p, field_name, self.eligibility.requirements(p))
                     for p in posts}
            required = [p for p in posts if match[p.id] == "required"]
            accepted = [p for p in posts if match[p.id] == "accepted"]
            if required:
                lines.append(f["law_required"].format(field=field_name))
                lines += [f"• {self._label(p)}: {inline(p.education.minimum)}" for p in required]
            if accepted and not q.wants_minimum:
                lines.append(f["law_accepted"].format(field=field_name))
                lines += [f"• {self._label(p)}" for p in accepted]
            if not required and not accepted:
                lines.append(f["field_none"].format(field=field_name))
            hits += required + accepted
        uniq = list({p.id: p for p in hits}.values())
        return Answer(text="\n".join(lines), found=True, intent="education",
                      citations=[cite(p, "education.minimum", p.education.minimum) for p in uniq],
                      posting_ids=[p.id for p in uniq])

    def _durations_compared(self, q: Query, posts: list[Posting]) -> Answer | None:
        """"Which posting is the longest?", "…shorter than 2 years?" (durations in months)."""
        f = frames(q.language)
        known = [p for p in posts if p.duration_months]
        text = f"{q.folded} {q.english}"
        if not known:
            return None
        if re.search(r"\b(longest|le plus long|la plus longue|mas larg[oa])\b", text):
            best = max(p.duration_months or 0 for p in known)
            hits = [p for p in known if p.duration_months == best]
            lines = [f["duration_longest"].format(value=_months_label(best))]
        elif re.search(r"\b(shortest|le plus court|la plus courte|mas cort[oa])\b", text):
            best = min(p.duration_months or 0 for p in known)
            hits = [p for p in known if p.duration_months == best]
            lines = [f["duration_shortest"].format(value=_months_label(best))]
        else:
            m = re.search(r"\b(longer|more|over|above|shorter|less|fewer|under|below)\s+(than\s+)?"
                          rf"{TIME_AMOUNT}\b", q.english)
            months = asked_months(m.group(0)) if m else None
            if not m or not months:
                return None
            longer = m.group(1) in {"longer", "more", "over", "above"}
            hits = [p for p in known if (p.duration_months or 0) > months] if longer else \
                [p for p in known if (p.duration_months or 0) < months]
            frame = "duration_longer" if longer else "duration_shorter"
            lines = [f[frame].format(value=_months_label(months))]
        if not hits:
            return _all_durations(f["duration_cmp_none"], posts)
        lines += [f"• {self._label(p)}: {p.duration}" for p in hits]
        return _corpus_answer(lines, hits, "summary", "duration")

    def _years_corpus(self, q: Query, posts: list[Posting], kind: str, years: float) -> Answer:
        f = frames(q.language)
        hits: list[tuple[Posting, str]] = []
        for p in posts:
            for req in self.eligibility.requirements(p):
                if req.kind != "experience" or req.level != "minimum":
                    continue
                value = req.max_years if kind == "max" else req.min_years
                if (value is not None and abs(value - years) < 1e-6) or (
                        kind == "any" and years in (req.min_years, req.max_years)):
                    hits.append((p, req.source_text))
                    break
        label = f"{years:g}"
        if not hits:
            lines = [f["none_match"].format(n=len(posts))]
            lines += [f"• {self._label(p, short=True)}: {inline(p.experience.minimum)}"
                      for p in posts]
            return Answer(text="\n".join(lines), found=True, intent="experience",
                          citations=[cite(p, "experience.minimum") for p in posts])
        lines = [f["years_match"].format(value=label)]
        lines += [f"• {self._label(p)}: {inline(text)}" for p, text in hits]
        return Answer(text="\n".join(lines), found=True, intent="experience",
                      citations=[cite(p, "experience.minimum", t) for p, t in hits],
                      posting_ids=[p.id for p, _t in hits])

    def _max_years_corpus(self, q: Query, posts: list[Posting]) -> Answer:
        """"Which postings set a maximum on the years of experience?": those whose minimum
        requirements cap them, with the requirement's words."""
        f = frames(q.language)
        hits: list[tuple[Posting, str]] = []
        for p in posts:
            capped = next((r for r in self.eligibility.requirements(p)
                           if r.kind == "experience" and r.max_years is not None), None)
            if capped is not None:
                hits.append((p, capped.source_text))
        if not hits:
            return Answer(text=f["years_max_none"].format(n=len(posts)), found=True,
                          intent="experience",
                          citations=[cite(p, "experience.minimum") for p in posts])
        lines = [f["years_max"]]
        lines += [f"• {self._label(p)}: {inline(text)}" for p, text in hits]
        return Answer(text="\n".join(lines), found=True, intent="experience",
                      citations=[cite(p, "experience.minimum", t) for p, t in hits],
                      posting_ids=[p.id for p, _t in hits])

    def _degree_level_corpus(self, q: Query, posts: list[Posting], level: str) -> Answer:
        f = frames(q.language)
        levels: dict[str, list[Posting]] = {"advanced": [], "first": [], "": []}
        for p in posts:
            minimum = [r for r in self.eligibility.requirements(p)
                       if r.kind == "education" and r.level == "minimum" and r.degree_level]
            # An advanced degree "or a first-level degree with two more years" (or a list of
            # degree-or-years alternatives) accepts a first degree too.
            accepts_first = any(r.degree_level == "first" or r.alt_first_degree_extra_years
                                is not None for r in minimum)
            levels["first" if accepts_first else
                   (minimum[0].degree_level or "") if minimum else ""].append(p)
        hits = levels[level]
        key = "level_advanced" if level == "advanced" else "level_first"
        lines = [f[key]] + [f"• {self._label(p)}: {inline(p.education.minimum)}" for p in hits]
        if level == "first" and levels["advanced"]:
            lines.append(f["level_advanced"])
            lines += [f"• {self._label(p)}" for p in levels["advanced"]]
        if not hits:
            lines = [f["none_match"].format(n=len(posts))]
        return Answer(text="\n".join(lines), found=True, intent="education",
                      citations=[cite(p, "education.minimum", p.education.minimum)
                                 for p in hits or posts],
                      posting_ids=[p.id for p in hits])

    def _posting_words(self) -> PostingWords:
        """Which postings hold a word: the snapshot's inverted index (built by `prepare`)."""
        if self._words is None:
            self._words = PostingWords(self.postings)
        return self._words

    def _mentions(self, q: Query, posts: list[Posting], terms: list[tuple[str, str]],
                  sections: tuple[str, ...] | None = None) -> Answer:
        """Postings whose text contains what the question names: the longest phrase of the
        question found in the postings ("domestic workers"), else its rarest word."""
        f = frames(q.language)
        index = self._posting_words()
        position = {p.id: n for n, p in enumerate(posts)}

        def holding(whole: list[str]) -> list[int]:
            held = (index.ids[r] for r in index.holding_all(whole).tolist())
            return [position[i] for i in held if i in position]

        phrase = longest_phrase(q.english, [self._folded_text(p) for p in posts], holding)
        _stem, surface = terms[0]
        display = phrase or _surface_in_corpus(surface, posts)

        forms = word_forms(surface)
        folded_phrase = fold(phrase)

        def contains(sentence: Sentence) -> bool:
            if phrase:
                return folded_phrase in sentence.folded
            return bool(forms & sentence.words)

        hits: list[tuple[Posting, str, str]] = []
        # Postings sharing a section text share its sentence list: each is searched once.
        first_in: dict[int, Sentence | None] = {}
        for p in posts:
            for key, sentences in self._posting_sentences(p):
                if sections and not key.startswith(sections):
                    continue
                if id(sentences) in first_in:
                    found = first_in[id(sentences)]
                else:
                    found = first_in[id(sentences)] = next(
                        (s for s in sentences if contains(s)), None)
                if found:
                    hits.append((p, key, found.text))
                    break
        if not hits:
            return Answer(text=f["mention_none"].format(term=display), found=False,
                          intent="mention")
        lines = [f["mention"].format(term=display)]
        lines += [f"• {self._label(p)} ({section_label(k)}): {trim_around(s, display, 300)}"
                  for p, k, s in hits]
        return Answer(text="\n".join(lines), found=True, intent="mention",
                      citations=[cite(p, k, s) for p, k, s in hits],
                      posting_ids=[p.id for p, _k, _s in hits])


def _same_item(a: str, b: str) -> bool:
    return fuzz.token_set_ratio(fold(a), fold(b)) >= 90


def _same_items(a: list[str], b: list[str]) -> bool:
    """Two lists of the same items, however each is punctuated."""
    return bool(a) and len(a) == len(b) and all(any(_same_item(x, y) for y in b) for x in a)


_NOT_RE = re.compile(r"\b(not|isn't|aren't|isnt|arent|other than|except|apart from|besides|"
                     r"pas|no|nicht)\b")

# Fields that are lists, and a question comparing them across postings
_LIST_FIELDS = ("competencies", "learning", "duties", "key_outputs")
_MAX_FUZZY_GROUPS = 200  # beyond, lists are grouped only when identical
_SAME_OR_DIFFERENT = re.compile(r"\b(same|different|differ\w*|unlike|odd one|unique|"
                                r"in common|common to|identical|vary|varies)\b")

# "a maximum on the years", "an upper limit", "at most how many years": a cap, no number.
_UPPER_LIMIT_RE = re.compile(r"\b(maximum|max|upper limit|ceiling|cap|caps|capped|at most|"
                             r"no more than|limit on|too (much|many years))\b")

_COUNTABLE = {"education", "languages", "duration", "experience", "mention"}


_SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "education": ("education",), "experience": ("experience",), "skills": ("skills",),
    "languages": ("languages",), "duties": ("duties", "key_outputs"),
    "key_outputs": ("key_outputs",), "learning": ("learning", "training"),
    "training": ("training", "learning"), "competencies": ("competencies",),
    "duration": ("summary",), "background": ("background", "introduction"),
}


def _all_durations(head: str, posts: list[Posting]) -> Answer:
    """No posting matched the asked duration: say so and list what the durations are."""
    differences = label_differences(posts)
    lines = [head, *(f"• {posting_label(p, posts, short=True, differences=differences)}: "
                     f"{p.duration}" for p in posts)]
    return Answer(text="\n".join(lines), found=True, intent="duration",
                  citations=[cite(p, "summary", p.duration) for p in posts], posting_ids=[])


def _grade_key(grade: str) -> str:
    """A grade as one token: "P-2", "P 2" and "p2" are all "P2"."""
    return re.sub(r"[\s-]", "", grade).upper()


def _months_label(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return f"{years} year{'s' if years != 1 else ''}"
    return f"{months} months"


def _surface_in_corpus(word: str, posts: list[Posting]) -> str:
    """The word as the postings write it ('unesco' → 'UNESCO')."""
    for p in posts:
        m = re.search(rf"\b({re.escape(word)})\b", p.text, flags=re.I)
        if m:
            return m.group(1)
    return word


def _corpus_answer(lines: list[str], posts: list[Posting], section: str, intent: str) -> Answer:
    return Answer(text="\n".join(lines), found=True, intent=intent,
                  citations=[cite(p, section) for p in posts],
                  posting_ids=[p.id for p in posts])
