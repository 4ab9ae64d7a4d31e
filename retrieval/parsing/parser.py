"""Turn the text of a vacancy announcement into a structured `Posting`.

(Longer than our usual modules: the section walk, the per-section extraction and the
fallbacks share one `Posting` under construction and read best together; the line, label,
heading, requirement and value helpers live in their own modules beside this one.)

The parser reads the text's structure, not any one file's quirks: every line is cleaned of
markdown (headings, bold, italics, links, stray asterisks), then classified as a section
heading, a "Label: value" field, a Minimum/Desirable sub-label, a bullet, or prose. Headings
are recognised by their words (numbered or not, any case, with or without a colon), so the
same code reads markdown, bold, italic and plain-capital layouts. A heading whose words the
lexicon does not know is matched by meaning (`headings.SemanticHeadings`), so other agencies'
layouts ("How can you make a difference?", "To qualify … you will have…") land in the right
sections; requirements stated in one prose block are split by topic afterwards.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from retrieval.models import Posting, RequirementBlock
from retrieval.parsing.facts import (
    clean_title,
    duration_in_text,
    duty_station,
    grade_in_text,
    recognise_organisation,
    supervisor_in_prose,
    title_from_lines,
)
from retrieval.parsing.headings import NUMBERING_RE, SemanticHeadings, heading_label
from retrieval.parsing.labels import heading_key, heading_level, split_label, sublabel
from retrieval.parsing.lines import Line, split_lines
from retrieval.parsing.requirements import (
    _TEMPLATE_HINT,
    _is_intro,
    _requirement_block,
    experience_caps,
    requirements_in_prose,
    split_by_topic,
)
from retrieval.parsing.values import (
    EMAIL_RE,
    HONORIFIC,
    MONTHS,
    YEAR_RE,
    _fix_ocr_acronym,
    _parse_supervisor,
    extract_acronyms,
    split_sentences,
)
from retrieval.parsing.vocabulary import norm_label, vocabulary
from retrieval.text import fold

# ---- the parser -------------------------------------------------------------------------------

@dataclass
class _Section:
    key: str
    lines: list[Line] = field(default_factory=list)
    level: str = ""  # "desirable" under "Desirable qualifications", "minimum" under "Minimum …"


@dataclass
class _Facts:
    """What one parse collects besides the posting's own fields."""

    stations: list[str] = field(default_factory=list)
    organisation: str = ""  # as an "Organization:" field names it
    supervisor: dict[str, str] = field(default_factory=dict)
    unfiled: list[str] = field(default_factory=list)  # values of fields the posting ignores


_REQUIREMENT_SECTIONS = {"education", "experience", "languages", "skills", "qualifications",
                         "education_experience"}
# Fields that an unfamiliar layout puts anywhere (after an introduction, under a "Remarks"
# heading); the other labels are fields only in the general-information block.
_ANYWHERE_FIELDS = {"title", "duty_station", "duration", "grade", "organisation",
                    "supervisor_name", "supervisor_role", "supervisor_email",
                    "supervisor_grade"}
# "Sponsoring Government:" alone on its line, its value on the next: a label all the same.
_BARE_LABEL_RE = re.compile(r"[A-Z][\w ./()&'-]{1,40}:")
# "Second reporting officer: Chief, …": a label the lexicon does not know still ends a value.
_ANY_PAIR_RE = re.compile(r"^[A-Z][\w ./()&'-]{1,40}:\s*\S")
# a person's name alone, and a form row that starts with a Title Case label of 2+ words
_BARE_NAME_RE = re.compile(rf"(?:{HONORIFIC}\.?\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){{1,3}}")
_FORM_ROW_RE = re.compile(r"[A-Z][a-z]+(?:\s+(?:of\s+)?[A-Z][a-z]+){1,3}\s+[A-Z0-9]")
# A line this short, without a final full stop, may be a heading the lexicon does not know.
_MAX_HEADING_WORDS = 12
# ... but not a lead-in ("The JPO will:"), a template hint, an acronym in brackets or the
# document's own name.
_NOT_A_HEADING_RE = re.compile(
    r"\b(will|are|is|include|includes|following|be|should)\s*:$|^\(|"
    r"^(indicate|please|background information should)\b|vacancy (proposal|announcement)|"
    r"job description|terms of reference|junior professional officers?\s*(\(jpo\))?\s*"
    r"(programme)?$", re.I)


def _after_list(content: list[Line]) -> str:
    """The paragraphs that follow a section's list: what they say is no list item, and not
    to be lost."""
    last = max((i for i, ln in enumerate(content) if ln.bullet), default=None)
    if last is None:
        return ""
    return _paragraphs([ln for ln in content[last + 1:] if not ln.bullet])


class PostingParser:
    """Parse announcement text into a `Posting`. One instance serves many files; `headings`
    (optional) matches unfamiliar headings by meaning."""

    def __init__(self, headings: SemanticHeadings | None = None) -> None:
        self._headings = headings

    def parse(self, raw: str, posting_id: str, source: str = "") -> Posting:
        lines = split_lines(raw)
        posting = Posting(id=posting_id, source=source)
        posting.text = "\n".join(ln.text for ln in lines if not ln.blank)
        posting.content_hash = hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()
        facts = _Facts()
        sections = self._sections(lines, posting, facts, self._meaning_hints(lines))
        for section in sections:
            self._apply(section, posting)
        self._loose_requirements(sections, posting)
        self._prose_requirements(sections, posting)
        self._fallbacks(lines, posting, facts, sections)
        posting.acronyms = self._acronyms(posting)
        return posting

    # ---- headings the lexicon does not know ------------------------------------------------

    @staticmethod
    def heading_candidates(lines: list[Line]) -> list[int]:
        """Indexes of lines that look like headings but whose label is not in the lexicon.
        Lines before the first recognised field or heading (organisation names, the title)
        are never candidates."""
        out: list[int] = []
        seen_structure = False
        for i, line in enumerate(lines):
            if line.blank:
                continue
            text = line.text
            known = heading_key(text) or split_label(text) or sublabel(text)
            if known:
                seen_structure = True
                continue
            if not seen_structure or line.bullet or line.table_row:
                continue
            words = text.split()
            if len(words) > _MAX_HEADING_WORDS or len(text) > 90 or "@" in text:
                continue
            if re.search(r"[.;,]$", text) and not text.endswith("…"):
                continue
            # "III. Summary of key functions": numbered like a heading and not a list item
            numbered = bool(NUMBERING_RE.match(text))
            if re.match(r"^[^:]{1,40}:\s*\S", text) or (
                    # "Terms of reference" names the document, "SECTION 3 - TERMS OF
                    # REFERENCE" a part of it
                    _NOT_A_HEADING_RE.search(text) and not numbered):
                continue
            letters = [c for c in text if c.isalpha()]
            capitals = len(letters) > 3 and all(c.isupper() for c in letters)
            previous_blank = i == 0 or lines[i - 1].blank
            strong = line.heading_marker or capitals or numbered \
                or text.endswith(("?", "…")) or (text.endswith(":") and len(words) <= 6)
            # "Technical Focus" between blank lines: short and in title case
            title_case = all(w[:1].isupper() for w in words if len(w) > 3)
            weak = previous_blank and len(words) <= 5 and title_case \
                and i + 1 < len(lines) and lines[i + 1].blank
            if strong or weak:
                out.append(i)
        return out

    def _meaning_hints(self, lines: list[Line]) -> dict[int, str]:
        """Section types, by meaning, of the candidate headings; strong headings that match
        nothing still end the section before them (as 'other')."""
        candidates = self.heading_candidates(lines)
        if not candidates or self._headings is None:
            return {}
        queries = []
        for i in candidates:
            body = [ln.text for ln in lines[i + 1:i + 8] if not ln.blank][:2]
            queries.append((lines[i].text, " ".join(body)))
        hints: dict[int, str] = {}
        known_before = False
        for i, (key, _score) in zip(candidates, self._headings.classify(queries), strict=True):
            line = lines[i]
            if key:
                hints[i] = key
                known_before = True
            elif not known_before and title_from_lines([line.text]):
                # "ASSOCIATE PROGRAMME OFFICER (SPECTRUM …)" in capitals among the header's
                # fields is the job title, not a heading of some unknown section
                continue
            elif line.heading_marker or line.text.isupper() or NUMBERING_RE.match(line.text):
                hints[i] = "other"
        return hints

    # Split into sections; "Label: value" fields are recorded as they are met.
    def _sections(self, lines: list[Line], posting: Posting, facts: _Facts,
                  hints: dict[int, str]) -> list[_Section]:
        fields, section_labels = vocabulary().fields, vocabulary().sections
        # section labels whose value follows on the same line, like a field's
        value_labels = {label for label, key in section_labels.items() if key == "supervisor"}
        sections: list[_Section] = [_Section("header")]
        parent_level = ""  # the level of the requirements heading the sub-headings stand under
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.blank:
                sections[-1].lines.append(line)
                i += 1
                continue
            text = line.text
            labelled = split_label(text)
            if labelled is None and not line.bullet \
                    and sections[-1].key in {"header", "general", "supervisor"}:
                # ("First Reporting Officer Mr. X" then "Title of First Reporting Officer
                # Chief, …": a form's rows, the supervisor's among them)
                labelled = _label_without_colon(text)
            if line.bullet and labelled and not (
                    (labelled[0] in fields or labelled[0] in value_labels)
                    and (sections[-1].key in {"header", "general"}
                         or (sections[-1].key in {"supervision", "supervisor"}
                             and fields.get(labelled[0], "").startswith("supervisor_")))):
                # a bullet is a field only in the general-information block ("- Reports to:
                # Dr. X, Chief of …" among the grade and the location is the supervisor), or
                # the supervisor's own rows under Supervision ("2. Name of Supervisor: Ms. X")
                labelled = None
            if labelled and labelled[0] in fields and labelled[0] not in section_labels:
                name = fields[labelled[0]]
                if not self._is_field_context(sections[-1].key, name, posting, facts):
                    sections[-1].lines.append(line)
                    i += 1
                    continue
                value, i = self._field_value(lines, i, labelled[1], name)
                self._set_field(posting, name, value, facts)
                continue
            key = heading_key(text) if not line.bullet else None
            if key and sections[-1].key in _REQUIREMENT_SECTIONS:
                key = vocabulary().within_requirements.get(heading_label(text), key)
            if key is None and labelled and labelled[0] in section_labels:
                key = section_labels[labelled[0]]
                if sections[-1].key in _REQUIREMENT_SECTIONS:
                    # "**Formation :** Diplôme de niveau Master …" under the qualifications
                    key = vocabulary().within_requirements.get(labelled[0], key)
            if key is None:
                key = hints.get(i)
            heading_line = Line(labelled[0], heading_marker=True) if labelled else line
            if key and self._accept_heading(key, sections[-1].key, heading_line):
                level = heading_level(labelled[0] if labelled else text)
                if key == "qualifications":
                    parent_level = level
                elif key in _REQUIREMENT_SECTIONS:
                    # "DESIRABLE QUALIFICATIONS" then "Education", "Languages": theirs too
                    level = level or parent_level
                else:
                    parent_level = ""
                sections.append(_Section(key, level=level))
                rest = labelled[1] if labelled and labelled[0] in vocabulary().sections else ""
                if rest:
                    sections[-1].lines.append(Line(rest))
                i += 1
                continue
            # Inline chiffre / post number anywhere in header lines.
            if not posting.post_number:
                m = re.search(r"chiffre\s*(?:nr\.?|no\.?)?\s*:?\s*([\w-]+-[\w-]+|\d[\w-]*)", text,
                              flags=re.I)
                if m:
                    posting.post_number = m.group(1)
            sections[-1].lines.append(line)
            i += 1
        return sections

    @staticmethod
    def _is_field_context(section: str, name: str, posting: Posting, facts: _Facts) -> bool:
        # A "Title:"-like line is a field anywhere while the field is still empty; others only
        # outside the long prose sections (e.g. "Level: …" inside a duty bullet is prose).
        if section in {"header", "general", "supervision", "supervisor"}:
            return True
        if name not in _ANYWHERE_FIELDS:
            return False
        if name.startswith("supervisor_"):
            return name not in facts.supervisor
        if name == "organisation":
            return not facts.organisation
        return name == "duty_station" or not getattr(posting, name)

    @staticmethod
    def _accept_heading(key: str, current: str, line: Line) -> bool:
        # "Experience"/"Education"-like words inside prose are headings only when short lines.
        if len(line.text) > 80:
            return False
        # Inside the skills block, "Technical skills:" etc. are sub-labels, not a new section.
        if current == "skills" and key == "skills":
            return False
        # A bare "Supervisor" word inside supervision text is a label only with a colon.
        return not (key == "supervisor" and current not in {"supervision", "general", "header"}
                    and not line.text.rstrip().endswith(":"))

    def _field_value(self, lines: list[Line], i: int, inline: str, key: str) -> tuple[str, int]:
        """A field's value: text after the colon plus continuation lines."""
        parts = [inline] if inline else []
        j = i + 1
        blanks = 0
        while j < len(lines):
            nxt = lines[j]
            if nxt.blank:
                blanks += 1
                j += 1
                if blanks > 1:
                    break
                continue
            t = nxt.text
            if split_label(t) or heading_key(t) or nxt.bullet or nxt.heading_marker \
                    or nxt.table_row or _ANY_PAIR_RE.match(t) or _label_without_colon(t) \
                    or _BARE_LABEL_RE.fullmatch(t):
                break
            if key == "month_of_issue":
                if YEAR_RE.fullmatch(t.strip()) or (not parts and len(t) < 30):
                    parts.append(t)
                    j += 1
                    continue
                break
            continuation = (
                not parts
                or t[:1].islower()
                or t.startswith("(")
                or (blanks == 0 and not re.search(r"[.:;]$", parts[-1]) and len(t) < 90)
            )
            if not continuation:
                break
            parts.append(t)
            blanks = 0
            j += 1
        return re.sub(r"\s+", " ", " ".join(parts)).strip(), j

    @staticmethod
    def _set_field(posting: Posting, key: str, value: str, facts: _Facts) -> None:
        value = value.strip().strip("*").strip()
        if key == "ignored":
            facts.unfiled.append(value)
            return
        if not value or re.fullmatch(r"n/?a|none|-+|not applicable", value,
                                                          re.I):
            return
        if key == "duty_station":
            facts.stations.append(value)
            return
        if key == "organisation":
            facts.organisation = facts.organisation or value
            return
        if key.startswith("supervisor_"):
            facts.supervisor.setdefault(key, value)
            return
        if key == "month_of_issue":
            month = next((m for m in MONTHS if re.search(rf"\b{m}\b", value, re.I)), "")
            year = YEAR_RE.search(value)
            if month and not posting.month_of_issue:
                posting.month_of_issue = month.capitalize()
            if year and not posting.year_of_issue:
                posting.year_of_issue = year.group(0)
            return
        if key == "post_number":
            # "2025-1-10", "JPO/2026/DKR/07", "26-Sustainable Development-DESA-251873-JPO"
            whole = re.fullmatch(r"[\w/]+(?:-[\w ]+?)+-[\w/]+", value)
            value = value if whole else value.split()[0].rstrip(".,;")
        if key == "title":
            value = clean_title(value.rstrip("."))[0]
        if key == "grade":  # "P 2" → "P2"; "P-2" stays as the posting writes it
            value = re.sub(r"^(P|G|NO)\s+(\d)", r"\1\2", value)
        if not getattr(posting, key):
            setattr(posting, key, value)

    # ---- per-section extraction --------------------------------------------------------------

    def _apply(self, section: _Section, posting: Posting) -> None:
        key = section.key
        content = [ln for ln in section.lines if not ln.blank]
        if key == "header":
            self._header(content, posting)
        elif key in {"general", "qualifications", "training_learning", "supervision"}:
            if key == "training_learning":
                # Items right under "Training and learning elements" are what the JPO learns.
                posting.learning += [ln.text for ln in content if ln.bullet]
                posting.training = _join(posting.training, _after_list(content))
            elif key == "supervision":
                self._supervision_free(content, posting)
            elif key == "general":
                posting.notes = _join(posting.notes, _paragraphs(content))
        elif key == "supervisor":
            text = " ".join(ln.text for ln in content[:3] if not heading_key(ln.text))
            if text:
                found = _parse_supervisor(self._supervisor_text(content))
                # A second mention ("Direct supervisor: …" after a table row) may omit the
                # e-mail address the first one gave.
                if not found.email and posting.supervisor.email:
                    found = found.model_copy(update={"email": posting.supervisor.email})
                posting.supervisor = found
        elif key == "supervision_method":
            posting.supervision_method = _join(posting.supervision_method, _paragraphs(content))
        elif key == "introduction":
            posting.introduction = _join(posting.introduction, _paragraphs(content))
        elif key == "duties":
            self._duties(content, posting)
        elif key == "key_outputs":
            posting.key_outputs += [ln.text for ln in content if ln.bullet] or _as_items(content)
        elif key in {"education", "experience", "skills", "languages", "education_experience"}:
            new = _requirement_block(content, section.level)
            # "Years of experience / Degree level: a first degree + 3 years OR …" is both.
            for name in (("education", "experience") if key == "education_experience"
                         else (key,)):
                block = getattr(posting, name)
                setattr(posting, name, RequirementBlock(
                    minimum=_join(block.minimum, new.minimum),
                    desirable=_join(block.desirable, new.desirable),
                ))
        elif key == "other":
            posting.background = _join(posting.background, _paragraphs(content))
        elif key == "competencies":
            items = [ln.text for ln in content if ln.bullet]
            if not items:
                items = [ln.text for ln in content if not _is_intro(ln.text)]
            posting.competencies += [re.sub(r"^\d+[.)]\s*", "", i) for i in items]
        elif key == "training":
            posting.training = _join(posting.training, _paragraphs(content))
        elif key == "learning":
            items = [ln.text for ln in content if ln.bullet]
            if not items:
                items = [ln.text for ln in content if not _is_intro(ln.text)]
            posting.learning += items
            # "In the first year the JPO will take part in the … course": said after the list
            posting.training = _join(posting.training, _after_list(content))
        elif key == "background":
            posting.background = _join(posting.background, _paragraphs(content))

    @staticmethod
    def _supervisor_text(content: list[Line]) -> str:
        # The supervisor is the first paragraph after the label (it may wrap over lines).
        taken: list[str] = []
        for ln in content:
            if taken and (ln.bullet or len(" ".join(taken)) > 200
                          or (_ANY_PAIR_RE.match(ln.text) and not EMAIL_RE.search(ln.text))
                          # a form's next row after a bare name ("Mr. Tomasz X" then "Second
                          # Reporting Officer Director, …"; the title and e-mail are rows too)
                          or (len(taken) == 1 and _BARE_NAME_RE.fullmatch(taken[0])
                              and _FORM_ROW_RE.match(ln.text))):
                break
            taken.append(ln.text)
            if EMAIL_RE.search(ln.text) or ln.text.endswith("."):
                break
        return " ".join(taken)

    def _supervision_free(self, content: list[Line], posting: Posting) -> None:
        """Supervision text without a 'Direct supervision by' label."""
        text = _paragraphs(content)
        if not text:
            return
        who = supervisor_in_prose(text)
        first = next((ln.text for ln in content if not ln.blank), "")
        if not who and re.match(HONORIFIC + r"\.?\s+[A-Z]", first) and len(first) < 200:
            # "Supervision : Mme Hadiza Oumarou, Cheffe de l'Unité – h.oumarou@wfp.org"
            who = first
        if who and not posting.supervisor.describe():
            posting.supervisor = _parse_supervisor(who)
        posting.supervision_method = _join(posting.supervision_method, text)

    @staticmethod
    def _header(content: list[Line], posting: Posting) -> None:
        for ln in content:
            if not posting.title and re.search(r"junior professional officer\s+(in|on|for)\b",
                                               ln.text, re.I):
                posting.title = ln.text.rstrip(".")

    @staticmethod
    def _duties(content: list[Line], posting: Posting) -> None:
        in_outputs = False
        context: list[str] = []
        for ln in content:
            if re.search(r"\b(key )?outputs?\b.*:\s*$", ln.text, re.I) and not ln.bullet:
                in_outputs = True
                posting.key_outputs_context = ln.text
                continue
            if ln.bullet:
                (posting.key_outputs if in_outputs else posting.duties).append(ln.text.rstrip("*"))
            elif in_outputs and posting.key_outputs:
                posting.key_outputs[-1] += " " + ln.text
            elif not in_outputs:
                context.append(ln.text)
        if not posting.duties and context:
            # No bullets: sentences after an introducing line ending in ':' are the duties.
            joined = " ".join(context)
            head, sep, tail = joined.partition(":")
            if sep and tail.strip():
                posting.duties = [s for s in re.split(r";\s*|\.\s+(?=[A-Z])", tail) if s.strip()]
                context = [head + ":"]
            elif len(context) > 1:
                # Duties told as paragraphs ("Your work will centre on …"): after the opening
                # paragraph that places the post, each sentence is a duty.
                posting.duties = [s for para in context[1:] for s in split_sentences(para)]
                context = context[:1]
        posting.duties_context = _join(posting.duties_context, " ".join(context))

    @staticmethod
    def _loose_requirements(sections: list[_Section], posting: Posting) -> None:
        """Requirements under a general heading ("Minimum requirements", "To qualify you will
        have…"), split by topic into the education, experience and language blocks that no
        heading of their own filled."""
        empty = {(name, level) for name in ("education", "experience", "languages", "skills")
                 for level in ("minimum", "desirable")
                 if not getattr(getattr(posting, name), level)}
        for section in sections:
            if section.key != "qualifications":
                continue
            block = _requirement_block([ln for ln in section.lines if not ln.blank],
                                       section.level)
            for level in ("minimum", "desirable"):
                for name, text in split_by_topic(getattr(block, level)).items():
                    if (name, level) in empty:
                        current = getattr(posting, name)
                        setattr(posting, name, current.model_copy(
                            update={level: _join(getattr(current, level), text)}))

    @staticmethod
    def _prose_requirements(sections: list[_Section], posting: Posting) -> None:
        """A requirement that no section held (all of education, experience or languages
        empty) is looked for in the posting's other text, sentence by sentence."""
        empty = [name for name in ("education", "experience", "languages")
                 if not getattr(posting, name).minimum and not getattr(posting, name).desirable]
        if not empty:
            return
        texts: list[str] = []
        for section in sections:
            if section.key in _REQUIREMENT_SECTIONS:
                continue
            paragraph: list[str] = []
            for ln in [*section.lines, Line("", blank=True)]:
                if ln.blank or ln.bullet or ln.heading_marker or sublabel(ln.text):
                    texts.append(" ".join(paragraph))
                    paragraph = []
                if not ln.blank:
                    paragraph.append(ln.text)
        for (name, level), text in requirements_in_prose(texts).items():
            if name in empty:
                block = getattr(posting, name)
                setattr(posting, name, block.model_copy(
                    update={level: _join(getattr(block, level), text)}))

    def _fallbacks(self, lines: list[Line], posting: Posting, facts: _Facts,
                   sections: list[_Section]) -> None:
        text = posting.text
        if not posting.post_number:
            # "Post number: 2144", "Vacancy Notice – VN/JPO/AMM/2025/04"
            m = re.search(r"\b(?:(?:post|vacancy|reference)\s*(?:number|no\b\.?|nr\b\.?|notice)"
                          r"|avis de vacance(?: de poste)?\s*n\.?\s*[°ºo]"
                          r"|anuncio de vacante\s*n\.?\s*[°ºo])"
                          r"\s*[:–—-]?\s*([\w/-]*\d[\w/-]*)", text, re.I)
            if m:
                posting.post_number = m.group(1).rstrip(".,")
        if not posting.month_of_issue:
            m = re.search(r"(?:issue|issued|published)\D{0,20}?(" + "|".join(MONTHS) +
                          r")\W+((?:19|20)\d{2})?", text, re.I)
            if m:
                posting.month_of_issue = m.group(1).capitalize()
                posting.year_of_issue = posting.year_of_issue or (m.group(2) or "")
        header = [ln.text for ln in sections[0].lines if not ln.blank] if sections else []
        grade, place = "", ""
        if not posting.title:
            # The first job-like line of the header ("JPO - Associate Officer (Statistics)",
            # "WASH OFFICER (JPO), P-2, Maputo, Mozambique"), else any line naming the JPO.
            posting.title, grade, place = clean_title(title_from_lines(header))
        if not posting.title:
            for ln in lines:
                if re.search(r"junior professional officer", ln.text, re.I) and not re.search(
                        r"programme|vacancy proposal", ln.text, re.I):
                    posting.title = ln.text
                    break
        posting.title = _fix_ocr_acronym(posting.title)
        if not posting.grade:
            grade = grade or grade_in_text(text)
            posting.grade = grade
        posting.duty_station = duty_station([*facts.stations, place] if place else facts.stations)
        if not posting.duration:
            posting.duration = duration_in_text(text)
        if not posting.duration:
            # "Type of appointment: JPO fixed-term appointment, 24 months (…)": a length in a
            # general-information value whose label the lexicon does not know
            general = [ln.text for section in sections if section.key in {"header", "general"}
                       for ln in section.lines if not ln.blank]
            general += [f"Contract: {value}" for value in facts.unfiled]
            posting.duration = duration_in_text("\n".join(general), labelled=True)
        block = posting.experience
        if not any(experience_caps(t) for t in (block.minimum, block.desirable)):
            # the cap said under Eligibility belongs with the experience asked
            # Heading lines keep their marker, so "Upper limit on experience" opens no sentence.
            marked = "\n".join(f"# {ln.text}" if ln.heading_marker else ln.text
                               for ln in lines if not ln.blank)
            caps = [c.lstrip("-•o ").strip() for c in experience_caps(marked)]
            if caps:
                block.minimum = "\n".join([block.minimum, *caps]).strip()
        self._supervisor_fields(posting, facts)
        self._supervisor_address(posting)
        if not posting.supervisor.describe():
            who = supervisor_in_prose(text)
            if who:
                posting.supervisor = _parse_supervisor(who)
        posting.organisation = recognise_organisation(facts.organisation, header[:12], text)
        if not posting.introduction and not posting.background:
            # "UNICEF works in some of the world's toughest places…": an unlabelled opening.
            prose = [t for t in header if len(t) > 100 and t != posting.title]
            posting.introduction = "\n".join(prose)

    @staticmethod
    def _supervisor_fields(posting: Posting, facts: _Facts) -> None:
        """'Supervisor Name:', 'Supervisor Position Title:', 'Supervisor E-mail:' lines."""
        given = facts.supervisor
        if not given:
            return
        current = posting.supervisor
        email = given.get("supervisor_email", "")
        email_m = EMAIL_RE.search(email)
        role = current.role or given.get("supervisor_role", "")
        grade = given.get("supervisor_grade", "")
        if role and grade and grade not in role:
            role = f"{role} ({grade})"  # "Supervisor Position Grade: P4"
        posting.supervisor = current.model_copy(update={
            "name": current.name or given.get("supervisor_name", ""),
            "role": role,
            "email": current.email or (email_m.group(0) if email_m else ""),
            "raw": current.raw or ", ".join(v for v in given.values() if v),
        })

    @staticmethod
    def _supervisor_address(posting: Posting) -> None:
        """A named supervisor without an address gets the posting's address built from their
        name ("Name of Supervisor: Ms. Ingrid Kamau-Solberg" … "E-mail:
        ingrid.kamau-solberg@un.org" on a line of its own)."""
        who = posting.supervisor
        if not who.name or who.email:
            return
        names = [fold(w) for w in re.findall(r"[\w'-]{3,}", who.name)
                 if not re.fullmatch(HONORIFIC, w, re.I)]
        for m in EMAIL_RE.finditer(posting.text):
            local = fold(m.group(0).split("@")[0])
            if names and names[-1] in local:
                posting.supervisor = who.model_copy(update={"email": m.group(0)})
                return

    @staticmethod
    def _acronyms(posting: Posting) -> dict[str, str]:
        found: dict[str, str] = {}
        for value in (posting.department, posting.unit):
            m = re.fullmatch(r"(.+?)\s*\(([A-Z][A-Za-z/&-]{1,15})\)", value.strip())
            if m:
                found[m.group(2)] = m.group(1)
        for short, long_form in extract_acronyms(
            "\n".join([posting.title, posting.department, posting.unit, posting.introduction])
        ).items():
            found.setdefault(short, long_form)
        # A department or unit given only as an acronym: pair it with the other field when the
        # initials match (Department "Deputy Director-General", Unit "DDG").
        pairs = ((posting.unit, posting.department), (posting.department, posting.unit))
        for value, other in pairs:
            v = value.strip()
            if re.fullmatch(r"[A-Z]{2,12}", v) and v not in found:
                found[v] = other
        for token in re.findall(r"\b[A-Z]{3,12}\b", " ".join(
                [posting.department, posting.unit, posting.supervisor.raw])):
            found.setdefault(token, posting.department if token in posting.department
                             else posting.unit or posting.department)
        return found



def _label_without_colon(text: str) -> tuple[str, str] | None:
    """'Duty station Beirut, Lebanon' (a table whose cells a PDF export ran together) →
    ('duty station', 'Beirut, Lebanon'); a lone 'Duration' → ('duration', ''). The longest
    known field label wins ('Sector / Unit …' is a unit, not a sector)."""
    fields, sections = vocabulary().fields, vocabulary().sections
    words = text.split()
    letters = [c for c in text if c.isalpha()]
    if len(words) > 1 and all(c.isupper() for c in letters):
        # "POSITION DESCRIPTION AND TERMS OF REFERENCE", "SECTION 1 - POSITION DATA": a
        # banner or a heading in capitals, not a label and its value
        return None
    for k in range(min(6, len(words)), 0, -1):
        label = norm_label(" ".join(words[:k]))
        rest = " ".join(words[k:])
        known = label in fields or (label in sections and sections[label] == "supervisor")
        if known and (not rest or rest[:1].isupper() or rest[:1].isdigit()
                      or EMAIL_RE.fullmatch(rest)):
            return label, rest
    return None


def _join(a: str, b: str) -> str:
    return f"{a}\n\n{b}".strip() if a and b else (a or b)


def _paragraphs(content: list[Line]) -> str:
    """Prose of a section, without template instructions (and the bullets they introduce)."""
    out: list[str] = []
    in_template = False
    for ln in content:
        if _TEMPLATE_HINT.match(ln.text):
            in_template = True
            continue
        if in_template and ln.bullet:
            continue
        in_template = False
        out.append(("- " if ln.bullet else "") + ln.text)
    return "\n".join(out).strip()


def _as_items(content: list[Line]) -> list[str]:
    return [ln.text for ln in content if not _is_intro(ln.text)]


