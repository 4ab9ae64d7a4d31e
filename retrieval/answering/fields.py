"""One field of one posting (supervisor, duties, education…): an intent → handler table."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from retrieval.answering.answer_types import asked_kinds
from retrieval.answering.base import AnswererBase
from retrieval.answering.common import (
    FIELD_INTENTS,
    MAX_ITEMS,
    bullets,
    cite,
    fields_asked,
    frames,
    inline,
    question_patterns,
    trim,
)
from retrieval.answering.polar import is_polar, opens_yes_no, polar_lead, requirement_verdict
from retrieval.chunking import section_label
from retrieval.models import Answer, Citation, Posting
from retrieval.parsing import EMAIL_RE, WEB_ADDRESS, split_sentences
from retrieval.text import content_tokens, stem
from retrieval.understanding import Query

FieldAnswer = tuple[str, list[Citation], bool]  # (text, citations, found)


class FieldAnswers(AnswererBase):
    """Mixed into `ExtractiveAnswerer`, whose attributes (snap, postings, retriever,
    eligibility) and other parts it uses."""

    def _one(self, q: Query, p: Posting) -> Answer:
        f = frames(q.language)
        t = p.short_title
        if q.not_stated and not fields_asked(q):
            topic = self._not_stated(q, [p])
            # (a place the question names, "the WHO JPO in Geneva", asks no duty station)
            asked = [i for i in q.intents if i in FIELD_HANDLERS and i != "summary"
                     and (i != "duty_station" or question_patterns()[1].search(q.folded))]
            if not asked:
                return topic
            # "what's the grade and the deadline?": the field, then the topic (unless the
            # field's answer already quotes what the posting says on it)
            fields = self._one(replace(q, not_stated=None), p)
            if topic.found and all(c.excerpt in fields.text for c in topic.citations):
                return fields
            return fields.model_copy(update={
                "text": f"{fields.text}\n\n{topic.text}",
                "citations": [*fields.citations, *topic.citations],
                "found": fields.found and topic.found})
        wrong_premises = {c.intent: c for c in self.premises.contradictions(q, p)}
        # The main intent, then the main intent of each further part of the question.
        asked = [i for i in q.intents if i in FIELD_HANDLERS][:1] + q.part_intents
        chosen = _parts_asked([*wrong_premises, *asked], keep=set(wrong_premises))
        parts: list[str] = []
        citations: list[Citation] = []
        found = True
        for intent in chosen:
            text, cites, ok = self._field(q, p, intent, f)
            premise = wrong_premises.get(intent)
            if premise is not None:
                text = f"{f['premise_not'].format(value=premise.claimed)} {text}"
                for owner in premise.owners[:2]:
                    other = self.snap.by_id.get(owner)
                    if other is not None:
                        more, more_cites, _ = self._field(q, other, intent, f)
                        text += f"\n{f['premise_owner'].format(value=premise.claimed)} {more}"
                        cites = [*cites, *more_cites]
            if text:
                parts.append(text)
            citations += cites
            found = found and ok
        if chosen[0] not in _OPEN_INTENTS:
            # "How often would I meet my supervisor?" asks for more than the supervisor's name.
            finer, finer_cites = self._finer(q, p, "\n".join(parts), chosen)
            if finer and not found:
                # the field is not stated, but sentences answer the question ("what software
                # would I use?" with no skills section: "… the SMS4DC software …")
                parts = [f"{f['general_found'].format(t=t)}\n{bullets(finer)}"]
                citations, found = finer_cites, True
            elif finer:
                parts.append(f"{f['finer']}\n{bullets(finer)}")
                citations += finer_cites
        wrong = _false_claims(q, p, "\n".join(parts))
        if wrong:
            parts.insert(0, f["premise_wrong"].format(name=", ".join(wrong)))
        elif not wrong_premises and parts and (
                is_polar(q) or (chosen[0] == "languages" and opens_yes_no(q))):
            # ("is English a must or is French OK?" offers two languages, yet asks yes or no)
            # "Does it need Spanish?", "is it in Geneva?": the verdict first, then the text.
            lead = self._polar_lead(q, p, chosen[0])
            if lead:
                parts[0] = f"{lead}\n{parts[0]}"
        text = "\n\n".join(parts) or f["not_in_posting"].format(t=t)
        return Answer(text=text, found=found and bool(parts), citations=citations,
                      intent=chosen[0], intents=chosen if len(chosen) > 1 else [],
                      posting_ids=[p.id])

    def _polar_lead(self, q: Query, p: Posting, intent: str) -> str:
        if intent in {"duty_station", "grade", "duration"}:
            confirmed = intent in self.premises.confirmations(q, p)
            return frames(q.language)["polar_yes"] if confirmed else ""
        if intent not in {"languages", "education", "experience", "requirements"}:
            return ""
        verdict = requirement_verdict(q, intent, self.eligibility.requirements(p))
        return polar_lead(verdict, q.language) if verdict else ""

    def _field(self, q: Query, p: Posting, intent: str,
               f: dict[str, str]) -> tuple[str, list[Citation], bool]:
        """(text, citations, found) for one intent about one posting."""
        handler = FIELD_HANDLERS.get(intent, FieldAnswers._general_field)
        return handler(self, q, p, intent, f)

    def _supervisor_field(self, q: Query, p: Posting, intent: str,
                          f: dict[str, str]) -> FieldAnswer:
        t = p.short_title
        sup = p.supervisor.describe()
        if not sup:
            return f["supervisor_missing"].format(t=t), [cite(p, "supervision")], False
        if not p.supervisor.name and not re.match(r"(?i)(the|a|an)\b", sup):
            sup = f"the {sup}"  # a role, not a person: "supervised by the Adviser to …"
        return f["supervisor"].format(t=t, value=sup), [cite(p, "supervision", sup)], True

    def _contact_field(self, q: Query, p: Posting, intent: str, f: dict[str, str]) -> FieldAnswer:
        t = p.short_title
        sup = p.supervisor.describe()
        # other addresses the posting gives, with the sentence that says what they are for
        # ("Questions about the role can be sent to esaro.jpo@unwomen.org.")
        others = [s for line in (p.text or "").splitlines() for s in split_sentences(line)
                  if any(e.lower() != p.supervisor.email.lower() for e in EMAIL_RE.findall(s))]
        other = " ".join(dict.fromkeys(s.strip(" -•*") for s in others[:2]))
        other_cites = [cite(p, "summary", s) for s in others[:2]]
        if p.supervisor.email:
            # the person, as the supervisor line gives them (name and role): "how can I
            # contact my supervisor?" is also "who is it?"
            who = ", ".join(x for x in (p.supervisor.name, p.supervisor.role) if x)
            value = f"{p.supervisor.email}" + (f" ({who})" if who else "")
            text = f["contact"].format(t=t, value=value)
            if other:
                text += " " + f["contact_other"].format(value=other)
            return text, [cite(p, "supervision", sup), *other_cites], True
        if other:
            return f["contact_general"].format(t=t, value=other), other_cites, True
        return (f["contact_missing"].format(t=t, value=sup or "—"),
                [cite(p, "supervision", sup)], False)

    def _scalar_field(self, q: Query, p: Posting, intent: str, f: dict[str, str]) -> FieldAnswer:
        t = p.short_title
        attr, missing = _SCALAR_FIELDS[intent]
        value = getattr(p, attr)
        if not value:
            return f[missing].format(t=t), [cite(p, "summary")], False
        return f[intent].format(t=t, value=value), [cite(p, "summary", value)], True

    def _department_unit_field(self, q: Query, p: Posting, intent: str,
                               f: dict[str, str]) -> FieldAnswer:
        t = p.short_title
        lines = []
        if p.department:
            lines.append(f["department"].format(t=t, value=p.department))
        if p.unit:
            lines.append(f["unit"].format(value=p.unit))
        ok = bool(lines)
        return (" ".join(lines) or f["not_in_posting"].format(t=t),
                [cite(p, "summary", f"{p.department}; {p.unit}")], ok)

    def _duties_field(self, q: Query, p: Posting, intent: str, f: dict[str, str]) -> FieldAnswer:
        t = p.short_title
        if not p.duties:
            return self._general(q, p, f)
        return (f"{f['duties'].format(t=t)}\n{bullets(p.duties[:MAX_ITEMS])}",
                [cite(p, "duties", p.duties[0])], True)

    def _key_outputs_field(self, q: Query, p: Posting, intent: str,
                           f: dict[str, str]) -> FieldAnswer:
        t = p.short_title
        if not p.key_outputs:
            return self._general(q, p, f)
        return (f"{f['key_outputs'].format(t=t)}\n{bullets(p.key_outputs)}",
                [cite(p, "key_outputs", p.key_outputs[0])], True)

    def _requirements_field(self, q: Query, p: Posting, intent: str,
                            f: dict[str, str]) -> FieldAnswer:
        t = p.short_title
        texts, cites = [f["requirements"].format(t=t)], []
        for name in ("education", "experience", "languages", "skills"):
            block = getattr(p, name)
            if block.minimum:
                texts.append(f"• {section_label(name + '.minimum')}: {inline(block.minimum)}")
                cites.append(cite(p, f"{name}.minimum", block.minimum))
        return "\n".join(texts), cites, bool(cites)

    def _competencies_field(self, q: Query, p: Posting, intent: str,
                            f: dict[str, str]) -> FieldAnswer:
        t = p.short_title
        if not p.competencies:
            return f["not_in_posting"].format(t=t), [cite(p, "competencies")], False
        return (f"{f['competencies'].format(t=t)}\n{bullets(p.competencies)}",
                [cite(p, "competencies", p.competencies[0])], True)

    def _learning_field(self, q: Query, p: Posting, intent: str, f: dict[str, str]) -> FieldAnswer:
        """"learning" and "training": both sections, the one asked first."""
        t = p.short_title
        parts, cites = [], []
        order = ["learning", "training"] if intent == "learning" else ["training", "learning"]
        for name in order:
            if name == "learning" and p.learning:
                parts.append(f"{f['learning'].format(t=t)}\n{bullets(p.learning)}")
                cites.append(cite(p, "learning", p.learning[0]))
            if name == "training" and p.training:
                parts.append(f"{f['training'].format(t=t)}\n{trim(p.training, 700)}")
                cites.append(cite(p, "training", p.training))
        if not parts:
            return f["not_in_posting"].format(t=t), [], False
        return "\n\n".join(parts), cites, True

    def _background_field(self, q: Query, p: Posting, intent: str,
                          f: dict[str, str]) -> FieldAnswer:
        t = p.short_title
        if _ASKS_ADDRESS.search(f"{q.folded} {q.english}"):
            links = self._addresses(q, p)
            if links:
                return (f"{f['links'].format(t=t)}\n{bullets(s for s, _k in links)}",
                        [cite(p, k, s) for s, k in links], True)
        if not p.background:
            return self._general(q, p, f)
        return (f"{f['background'].format(t=t)}\n{trim(p.background, 800)}",
                [cite(p, "background", p.background)], True)

    def _addresses(self, q: Query, p: Posting) -> list[tuple[str, str]]:
        """(sentence, section) of the posting's sentences giving a web or e-mail address; those
        sharing the question's other words ("the Helpdesk's site") when some do."""
        found = [(s, key) for key, sentences in self._posting_sentences(p) for s in sentences
                 if _ADDRESS_IN.search(s.text)]
        weights = self._weights(q, _ADDRESS_WORDS)
        scored = [(sum(w for t, w in weights.items() if t in set(content_tokens(s.text))),
                   s.text, k) for s, k in found]
        best = max((x[0] for x in scored), default=0.0)
        return [(text, k) for score, text, k in scored if score >= best]

    def _summary_field(self, q: Query, p: Posting, intent: str, f: dict[str, str]) -> FieldAnswer:
        return self._summary(p, f)

    def _general_field(self, q: Query, p: Posting, intent: str, f: dict[str, str]) -> FieldAnswer:
        return self._general(q, p, f)

    def _block_field(self, q: Query, p: Posting, intent: str, f: dict[str, str]) -> FieldAnswer:
        return self._block(q, p, intent, f)


    def _block(self, q: Query, p: Posting, name: str,
               f: dict[str, str]) -> tuple[str, list[Citation], bool]:
        block = getattr(p, name)
        t = p.short_title
        if block.is_empty:
            return f["not_in_posting"].format(t=t), [cite(p, f"{name}.minimum")], False
        lines = [f[name].format(t=t)]
        cites: list[Citation] = []
        show_min = not q.wants_desirable or not block.desirable
        show_des = (q.wants_desirable or not q.wants_minimum) and bool(block.desirable)
        if show_min and block.minimum:
            lines.append(f"• {f['minimum']}: {inline(block.minimum)}")
            cites.append(cite(p, f"{name}.minimum", block.minimum))
        if show_des:
            lines.append(f"• {f['desirable']}: {inline(block.desirable)}")
            cites.append(cite(p, f"{name}.desirable", block.desirable))
        elif q.wants_desirable:
            lines.append(f"• {f['desirable']}: {f['not_stated_short']}")
        return "\n".join(lines), cites, True

    def _summary(self, p: Posting, f: dict[str, str]) -> tuple[str, list[Citation], bool]:
        rows = [
            (f["label_department"], p.department), (f["label_unit"], p.unit),
            (f["label_station"], p.duty_station), (f["label_duration"], p.duration),
            (f["label_grade"], p.grade or f["not_stated_grade"]),
            (f["label_supervisor"], p.supervisor.describe()),
            (f["label_post_number"], p.post_number), (f["label_issued"], p.issued),
        ]
        head = f"{p.title}\n" + "\n".join(f"• {k}: {v}" for k, v in rows if v)
        intro = split_sentences(p.introduction)[:2]
        text = head + (f"\n\n{' '.join(intro)}" if intro else "")
        cites = [cite(p, "summary", p.title)]
        if intro:
            cites.append(cite(p, "introduction", intro[0]))
        return text, cites, True


    def _several(self, q: Query, posts: list[Posting]) -> Answer:
        """The same field for several postings, one paragraph each."""
        if q.not_stated and not fields_asked(q):
            return self._not_stated(q, posts)
        f = frames(q.language)
        intents = [i for i in q.intents if i in FIELD_INTENTS] or ["summary"]
        parts: list[str] = []
        cites: list[Citation] = []
        any_found = False
        # "how often would I meet my supervisor at UN-Habitat?", "what tools does the WHO JPO
        # use?" over the few postings named: the sentences of each that answer it
        # (and an open question over them: "wat documents does the ohchr upr jpo draft", when
        # two OHCHR postings have a UPR; each one's sentences, not their summary cards)
        finer_too = len(posts) <= 3 and (bool(asked_kinds(q.folded)) or not [
            i for i in q.intents if i in FIELD_INTENTS])
        for p in posts:
            text, c, ok = self._field(q, p, intents[0], f)
            finer, finer_cites = self._finer(q, p, text, intents[:1]) if finer_too else ([], [])
            if finer and (intents[0] == "summary" or not ok):
                text = f"{f['general_found'].format(t=p.short_title)}\n{bullets(finer)}"
                c, ok = finer_cites, True
            elif finer:
                text = f"{text}\n{f['finer']}\n{bullets(finer)}"
                c = [*c, *finer_cites]
            if text:
                parts.append(text)
            cites += c
            any_found = any_found or ok
        return Answer(text="\n\n".join(parts), found=any_found, citations=cites,
                      intent=intents[0], posting_ids=[p.id for p in posts])

    # ---- questions over all postings ---------------------------------------------------------


# Intents answered by sentences picked for the question itself: nothing finer to add.
_OPEN_INTENTS = {"general"}
# Parts a question can ask for at once ("post 2396 - what grade and where is it?").
MAX_PARTS = 3


def _parts_asked(intents: list[str], keep: set[str]) -> list[str]:
    """The fields to answer, in the order asked, each once: one handler answers "learning"
    and "training" together, and the contact answer already names the supervisor."""
    chosen: list[str] = []
    for intent in dict.fromkeys(intents):
        if intent in {"mention", "count"} or intent not in FIELD_HANDLERS:
            continue
        if FIELD_HANDLERS[intent] is FieldAnswers._learning_field and any(
                FIELD_HANDLERS[c] is FieldAnswers._learning_field for c in chosen):
            continue
        chosen.append(intent)
    if "contact" in chosen and "supervisor" in chosen and "supervisor" not in keep:
        chosen.remove("supervisor")
    return chosen[:MAX_PARTS] or ["general"]
# One-value fields: intent → (Posting attribute, answer frame used when the posting is silent).
_SCALAR_FIELDS = {
    "duty_station": ("duty_station", "not_in_posting"),
    "grade": ("grade", "grade_missing"),
    "duration": ("duration", "not_in_posting"),
    "post_number": ("post_number", "not_in_posting"),
    "issue_date": ("issued", "issue_date_missing"),
}


# "links in the roelans posting?", "sur quel site…", "¿en qué página web…?"
# (asking for an address, not about one: "does the MNE jpo work on a website?" is a duty)
_ASKS_ADDRESS = re.compile(
    r"\b(links?|urls?|web address|adresse web|direccion web|liens?|enlaces?)\b"
    r"|\b(which|what|where|quel|quelle|quels|que|cual|welche|welcher)\b.{0,40}"
    r"\b(websites?|web ?sites?|web ?pages?|webpage|site|sites|pagina web|sitio web|webseite|"
    r"internetseite|online)\b")
_ADDRESS_IN = re.compile(rf"{WEB_ADDRESS}|\b[\w-]+\.(?:org|int|de|com)/\S*")
_ADDRESS_WORDS = {stem(w) for w in ("link", "links", "url", "website", "site", "web", "page",
                                    "webpage", "address", "online", "posting", "which", "what")}

_CLAIM_RE = re.compile(r"\b(\d+(?:\.\d+)?\s*(?:years?|months?)|[PGD]-?\d|[\w.+-]+@[\w.-]+)\b")


def _false_claims(q: Query, p: Posting, answer_text: str) -> list[str]:
    """Names and values the question asserts ("supervised by John Smith, right?", "lasts
    3 years, correct?") that the posting does not contain."""
    claims = list(q.named_people)
    if q.confirming:
        claims += [m.group(1) for m in _CLAIM_RE.finditer(q.clean)]
    haystack = f"{p.text}\n{answer_text}".lower()
    return [c for c in dict.fromkeys(claims) if c.lower() not in haystack]


# intent → the handler answering it for one posting; any other intent gets the open answer.
FIELD_HANDLERS: dict[str, Callable[[FieldAnswers, Query, Posting, str, dict[str, str]],
                                   FieldAnswer]] = {
    "supervisor": FieldAnswers._supervisor_field,
    "contact": FieldAnswers._contact_field,
    **dict.fromkeys(_SCALAR_FIELDS, FieldAnswers._scalar_field),
    "department_unit": FieldAnswers._department_unit_field,
    "duties": FieldAnswers._duties_field,
    "key_outputs": FieldAnswers._key_outputs_field,
    **dict.fromkeys(("education", "experience", "skills", "languages"),
                    FieldAnswers._block_field),
    "requirements": FieldAnswers._requirements_field,
    "competencies": FieldAnswers._competencies_field,
    **dict.fromkeys(("learning", "training"), FieldAnswers._learning_field),
    "background": FieldAnswers._background_field,
    "summary": FieldAnswers._summary_field,
}
