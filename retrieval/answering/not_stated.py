"""Topics postings never state (salary, age limit…): say so, with what the posting does say."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

from retrieval.answering.base import AnswererBase
from retrieval.answering.common import cite, frames, section_items
from retrieval.answering.scope import posting_label
from retrieval.eligibility.vocabulary import nationalities
from retrieval.models import Answer, Citation, Posting
from retrieval.parsing import split_sentences
from retrieval.parsing.prose import LABEL_LINE, prose_sentences
from retrieval.text import fold
from retrieval.understanding import Query, not_stated_topics


# "Closing Date: Jan 11, 2027", "Date limite de candidature (minuit, heure de Paris): 15 …"
def _evidence(text: str, pattern: re.Pattern[str]) -> list[str]:
    """What a posting says on a topic: its `Label: value` lines that match, else the sentences
    of its text that match (`prose_sentences`: a label line alone, headings left out), else a
    label line and the first sentence of the line after it."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    labelled = [line for line in lines if len(line) <= 240 and LABEL_LINE.match(line)
                and pattern.search(fold(line))]
    if labelled:
        return labelled
    said = [s for s in prose_sentences(text) if pattern.search(fold(s))]
    if said:
        return said
    # a label on a line of its own, its value on the next ("Date limite de candidature" /
    # "30 avril 2026 (23h59, heure de Bruxelles). …"): read as "Label: value"
    return [joined for label, value in itertools.pairwise(lines)
            if len(label) <= 60 and not re.search(r"[.;:,!?]$", label)
            and pattern.search(fold(joined := f"{label}: {split_sentences(value)[0]}"))]


def _countries_named(folded: str) -> set[str]:
    """The countries a text names by a country or nationality word ("dutch", "Finland")."""
    table = nationalities()
    return {table[w] for w in re.findall(r"[a-z]+", folded) if w in table}


class NotStatedAnswers(AnswererBase):
    """Mixed into `ExtractiveAnswerer`, whose attributes (snap, postings, retriever,
    eligibility) and other parts it uses."""

    def _not_stated(self, q: Query, posts: list[Posting]) -> Answer:
        if q.other_topics:
            # each topic asked, in the order of the lexicon ("how do I apply, and what's the
            # deadline?": the application instructions and the closing date)
            answers = [self._not_stated(replace(q, not_stated=topic, other_topics=[]), posts)
                       for topic in [q.not_stated, *q.other_topics[:2]]]
            return answers[0].model_copy(update={
                "text": "\n\n".join(dict.fromkeys(a.text for a in answers)),
                "citations": [c for a in answers for c in a.citations],
                "found": any(a.found for a in answers)})
        f = frames(q.language)
        topic = not_stated_topics()[q.not_stated or ""]
        name = topic["name"].get(q.language, topic["name"]["en"])
        evidence = [(p, s) for p in posts for s in _evidence(p.text, topic["evidence"])]
        if evidence and topic.get("first"):
            evidence.sort(key=lambda ps: not re.search(topic["first"], fold(ps[1])))
        countries = _countries_named(q.folded)
        if countries and len(posts) > 1:
            # "which jpos are sponsored by finland?", "… open to dutch nationals?": the
            # postings whose sentences name that country first; over many postings, only they
            naming = [(p, s) for p, s in evidence if _countries_named(fold(s)) & countries]
            if naming and len(posts) > 3:
                evidence = naming
            else:
                evidence.sort(key=lambda ps: (ps[0], ps[1]) not in naming)
        if evidence:
            # Over one posting, its first four sentences on the topic; over several, the first
            # of each ("are any of these jobs only open to certain nationalities?")
            first_of: dict[str, tuple[Posting, str]] = {}
            for p, s in evidence:
                first_of.setdefault(p.id, (p, s))
            shown = evidence[:4] if len(posts) == 1 else list(first_of.values())
            # each posting named with its organisation and city where the corpus's differ
            lines = [f"• {posting_label(p, self.postings, short=True)}: {s}" for p, s in shown]
            if 1 < len(posts) <= 3:
                # the few postings a question named: each is accounted for ("the WHO digital
                # health JPO" names two; one gives a closing date, the other none)
                answered = {p.id for p, _s in shown}
                lines += [f["not_stated_one"].format(t=p.short_title, topic=name)
                          for p in posts if p.id not in answered]
            return Answer(text="\n".join(lines), found=True, intent=q.not_stated or "",
                          citations=[cite(p, "background", s) for p, s in shown],
                          posting_ids=[p.id for p in posts])
        if len(posts) == 1:
            head = f["not_stated_one"].format(t=posts[0].short_title, topic=name)
        else:
            head = f["not_stated"].format(topic=name)
        lines = [head]
        cites: list[Citation] = []
        related = topic.get("related", [])
        said: list[str] = []
        if len(posts) == 1:
            for intent in related:
                text, c, ok = self._field(q, posts[0], intent, f)
                if ok:
                    said.append(text)
                    cites += c
            context = topic.get("context")
            if context:
                for section, section_text in section_items(posts[0]):
                    line = next((s for s in split_sentences(section_text.replace("\n", " "))
                                 if re.search(context, fold(s))), None)
                    if line:
                        said.append(line)
                        cites.append(cite(posts[0], section, line))
                        break
        if said:
            lines += [f["what_they_say"], *said]
        if not cites:
            cites = [cite(p, "summary") for p in posts]
        return Answer(text="\n".join(lines), found=False, citations=cites,
                      intent=q.not_stated or "not_stated", posting_ids=[p.id for p in posts])

    # ---- no posting named --------------------------------------------------------------------
