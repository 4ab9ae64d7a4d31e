"""Turn the text of a vacancy announcement into a structured `Posting`.

The parser reads the text's structure, not any one file's quirks: every line is cleaned of
markdown (headings, bold, italics, links, stray asterisks), then classified as a section
heading, a "Label: value" field, a Minimum/Desirable sub-label, a bullet, or prose. Headings
are recognised by their words (numbered or not, any case, with or without a colon), so the
same code reads markdown, bold, italic and plain-capital layouts.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from retrieval.models import Posting, RequirementBlock, Supervisor

# ---- vocabulary of headings and field labels --------------------------------------------------

SECTION_ALIASES: dict[str, tuple[str, ...]] = {
    "general": ("general information", "general info", "post details", "position details"),
    "supervision": ("supervision", "supervision arrangements", "reporting lines"),
    "supervisor": (
        "direct supervision by", "direct supervisor", "supervisor", "supervised by",
        "reports to", "reporting to", "under the supervision of",
    ),
    "supervision_method": (
        "content and methodology of supervision", "methodology of supervision",
        "supervision methodology",
    ),
    "introduction": (
        "introduction", "context", "organizational context", "organisational context",
        "about the unit", "about the department", "the unit",
    ),
    "duties": (
        "duties and responsibilities", "duties and responsabilities", "duties",
        "main duties", "main duties and responsibilities", "responsibilities", "tasks",
        "key responsibilities", "description of duties", "functions",
    ),
    "key_outputs": ("key outputs", "expected outputs", "outputs", "deliverables", "key results"),
    "qualifications": (
        "qualifications and experience", "qualifications", "requirements",
        "qualification requirements", "candidate profile", "required qualifications",
    ),
    "education": ("education", "educational background", "academic qualifications", "degree"),
    "experience": (
        "work experience", "experience", "professional experience", "relevant experience",
    ),
    "skills": (
        "skills required for the assignment", "skills", "required skills", "key skills",
        "skills and abilities", "technical skills and abilities",
    ),
    "languages": ("languages", "language", "language requirements", "language skills"),
    "competencies": ("ilo competencies", "competencies", "core competencies", "competences"),
    "training_learning": (
        "training components and learning elements", "training and learning",
        "learning and development",
    ),
    "training": ("training components", "training", "training component"),
    "learning": ("learning elements", "learning objectives", "what you will learn", "learning"),
    "background": ("background information", "background", "further information",
                   "additional information"),
}

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "job title", "position title", "post title", "position"),
    "department": (
        "department", "department/field office", "department / field office",
        "department/ field office", "department/office", "department or office", "office",
        "sector",
    ),
    "unit": ("organisational unit", "organizational unit", "unit", "branch", "team", "section"),
    "duty_station": ("duty station", "duty location", "location", "place of assignment"),
    "duration": (
        "duration of assignment", "duration of the assignment", "duration",
        "length of assignment", "contract duration", "assignment duration",
    ),
    "grade": ("grade", "grade level", "level"),
    "post_number": (
        "post number", "post no", "post no.", "vacancy number", "vacancy no", "reference",
        "reference number", "chiffre nr", "chiffre nr.", "chiffre", "job number",
    ),
    "month_of_issue": ("month of issue", "date of issue", "issued", "issue date", "month"),
}

SUBLABELS: dict[str, tuple[str, ...]] = {
    "minimum": ("minimum", "minimum requirements", "required", "essential", "mandatory",
                "minimum requirement"),
    "desirable": ("desirable", "preferred", "desired", "an asset", "advantageous",
                  "desirable requirements", "nice to have"),
}

MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
BULLET_RE = re.compile(r"^\s*(?:[-*•–·▪◦]|o(?=\s)|\d{1,2}[.)](?=\s))\s+")
YEAR_RE = re.compile(r"\b(19|20)\d{2}\b")
ROLE_WORDS = {
    "adviser", "advisor", "head", "director", "chief", "officer", "specialist", "coordinator",
    "manager", "economist", "expert", "senior", "technical", "legal", "programme", "program",
    "deputy", "team", "lead", "leader", "analyst", "unit", "section", "branch", "of", "the",
}


def _norm_label(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^a-z/ ]+", " ", text)
    text = re.sub(r"\s*/\s*", "/", text)
    return re.sub(r"\s+", " ", text).strip()


def _alias_index(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {_norm_label(alias): key for key, aliases in table.items() for alias in aliases}


_SECTIONS = _alias_index(SECTION_ALIASES)
_FIELDS = _alias_index(FIELD_ALIASES)
_SUBLABELS = _alias_index(SUBLABELS)


# ---- line cleaning --------------------------------------------------------------------------

def clean_inline(text: str) -> str:
    """Strip markdown emphasis, links and escapes from one line, keeping its words."""
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)  # images
    text = re.sub(r"\[([^\]]*)\]\(([^)]*)\)", lambda m: m.group(1) or m.group(2), text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    text = re.sub(r"\\([()\[\]*_#.\-])", r"\1", text)
    text = text.replace("**", "").replace("__", "")
    # single-asterisk / underscore emphasis and stray asterisks, but not bullets at line start
    text = re.sub(r"(?<=\S)\*+|\*+(?=\S)", "", text)
    text = re.sub(r"(?<![\w])_(?=\S)|(?<=\S)_(?![\w])", "", text)
    text = re.sub(r"\s+\*+\s*$", "", text)
    return re.sub(r"[ \t]+", " ", text).strip()


@dataclass
class Line:
    text: str  # cleaned text, markers removed
    bullet: bool = False
    heading_marker: bool = False  # markdown '#' or a line that was entirely bold/italic
    blank: bool = False


def split_lines(raw: str) -> list[Line]:
    lines: list[Line] = []
    for original in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = original.strip()
        if not stripped or re.fullmatch(r"[-_=*—–•·\s]+", stripped):
            lines.append(Line("", blank=True))
            continue
        if stripped.startswith("|") and stripped.endswith("|"):
            # Markdown table row: "| Label | value |" reads as "Label: value".
            cells = [c.strip() for c in stripped.strip("|").split("|") if c.strip()]
            if not cells or all(re.fullmatch(r":?-{2,}:?", c) for c in cells):
                lines.append(Line("", blank=True))
                continue
            stripped = ": ".join([cells[0].rstrip(":"), *cells[1:]]) if len(cells) > 1 else cells[0]
        heading_marker = bool(re.match(r"^#{1,6}\s", stripped))
        stripped = re.sub(r"^#{1,6}\s*", "", stripped)
        wholly_emphasised = bool(re.fullmatch(r"(\*\*|__)[^*_]+(\*\*|__):?\s*", stripped))
        bullet = bool(BULLET_RE.match(stripped)) and not re.match(r"^\*\*", stripped)
        if bullet and _heading_key(clean_inline(stripped)):
            # "4. Duties and Responsibilities" is a numbered heading, not a list item.
            bullet, heading_marker = False, True
        if bullet:
            stripped = BULLET_RE.sub("", stripped, count=1)
        text = clean_inline(stripped)
        if not text:
            lines.append(Line("", blank=True))
            continue
        lines.append(Line(text, bullet=bullet, heading_marker=heading_marker or wholly_emphasised))
    return lines


# ---- classification -------------------------------------------------------------------------

_NUMBERING_RE = re.compile(r"^(?:\d{1,2}|[IVX]{1,4}|[A-H])[.)]\s+")


def _heading_key(text: str) -> str | None:
    """The section a heading line opens, or None. 'Label:' and 'Label' both count."""
    candidate = _NUMBERING_RE.sub("", text).strip()
    candidate = candidate.rstrip(":").strip()
    if len(candidate) > 60:
        return None
    return _SECTIONS.get(_norm_label(candidate))


def _split_label(text: str) -> tuple[str, str] | None:
    """Split 'Label: value' (or 'Label – value') when the label is a known field or heading."""
    m = re.match(r"^([^:]{2,60}?)\s*:\s*(.*)$", text)
    if not m:
        return None
    label = _norm_label(_NUMBERING_RE.sub("", m.group(1)))
    if label in _FIELDS or label in _SECTIONS or label in _SUBLABELS:
        return label, m.group(2).strip()
    return None


def _sublabel(text: str) -> tuple[str, str] | None:
    """'Minimum:' / 'Desirable: rest' → ('minimum'|'desirable', rest)."""
    m = re.match(r"^([A-Za-z ]{3,30}?)\s*:\s*(.*)$", text)
    if m and _norm_label(m.group(1)) in _SUBLABELS:
        return _SUBLABELS[_norm_label(m.group(1))], m.group(2).strip()
    if _norm_label(text) in _SUBLABELS and len(text) < 30:
        return _SUBLABELS[_norm_label(text)], ""
    return None


# ---- helpers for values -----------------------------------------------------------------------

def short_title(title: str) -> str:
    """'Junior Professional Officer in X' → 'X'."""
    t = re.sub(r"^\s*junior professional officer\s*(\(jpo\))?\s*(in|on|for|–|-|:)?\s*", "",
               title, flags=re.I)
    return t.strip() or title.strip()


_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty-four": 24,
    "twenty four": 24, "thirty-six": 36,
}


def number_value(token: str) -> float | None:
    token = token.lower().strip()
    if re.fullmatch(r"\d+(?:[.,]\d+)?", token):
        return float(token.replace(",", "."))
    return float(_NUMBER_WORDS[token]) if token in _NUMBER_WORDS else None


_NUM = r"(\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen)"


def duration_in_months(text: str) -> int | None:
    """The first stated length of an assignment in months ('2 years…' → 24)."""
    m = re.search(_NUM + r"[\s-]*(year|yr|month)s?", text or "", flags=re.I)
    if not m:
        return None
    value = number_value(m.group(1))
    if value is None:
        return None
    return round(value * (12 if m.group(2).lower().startswith(("year", "yr")) else 1))


def split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.;!?])\s+(?=[A-Z(\"'“])", text.strip())
    return [p.strip() for p in parts if p.strip()]


def _parse_supervisor(text: str) -> Supervisor:
    raw = re.sub(r"\s+", " ", text).strip()
    email_m = EMAIL_RE.search(raw)
    email = email_m.group(0).rstrip(".") if email_m else ""
    rest = EMAIL_RE.sub("", raw) if email else raw
    rest = re.sub(r"\(\s*\)", "", rest)
    rest = re.sub(r"[\s,;:(]+$", "", rest).strip().rstrip(".").strip()
    rest = re.sub(r"^(?:by|is)\s+", "", rest, flags=re.I)
    name, role = "", rest
    parts = [p.strip() for p in re.split(r"[,:–]|\s-\s", rest, maxsplit=1)]
    first = parts[0]
    words = first.split()
    particles = {"van", "der", "de", "da", "di", "von", "la", "le", "del", "dos", "du", "bin", "al"}
    looks_like_name = (
        1 < len(words) <= 5
        and all(w[:1].isupper() or w in particles for w in words)
        and words[0][:1].isupper()
        and not any(w.lower().strip(".") in ROLE_WORDS for w in words)
    )
    if looks_like_name:
        name = first
        role = parts[1].strip(" ,;:") if len(parts) > 1 else ""
    return Supervisor(name=name, role=role, email=email, raw=raw)


def extract_acronyms(text: str) -> dict[str, str]:
    """Acronym → long form for 'Long Form Words (LFW)' patterns (a light Schwartz–Hearst).

    Letters are matched to word initials; an 'l' that stands for 'I' (a common OCR slip, e.g.
    '(Al)' for '(AI)') is accepted so the acronym is recorded in its intended form.
    """
    found: dict[str, str] = {}
    pattern = r"([A-Za-z][\w'’\- ,&]{2,120}?)\s*\(([A-Za-z][A-Za-z/&\- ]{1,15})\)"
    for m in re.finditer(pattern, text):
        before, short = m.group(1), m.group(2).strip()
        letters = re.sub(r"[^A-Za-z]", "", short)
        if len(letters) < 2 or not any(c.isupper() for c in letters):
            continue
        words = [w for w in re.split(r"[\s\-]+", before) if w]
        candidates = [letters.upper(), letters.upper().replace("L", "I")]
        for cand in dict.fromkeys(candidates):
            long_form = _match_initials(words, cand)
            if long_form:
                found.setdefault(cand, long_form)
                break
        else:
            if letters.isupper() and len(letters) >= 3:
                # e.g. "Sectoral Policies Department (SECTOR)": a name, not initials
                content = [w for w in words if w[:1].isupper()]
                if content:
                    tail = " ".join(words[-min(len(words), 6):])
                    found.setdefault(letters, tail.strip(" ,"))
    return found


_MINOR = {"of", "and", "the", "on", "for", "in", "to", "&", "de", "a"}


def _match_initials(words: list[str], letters: str) -> str | None:
    """Shortest suffix of words whose significant initials spell `letters`."""
    for start in range(len(words) - 1, max(-1, len(words) - len(letters) * 2 - 1), -1):
        span = words[start:]
        initials = "".join(w[0].upper() for w in span if w.lower() not in _MINOR)
        if initials == letters and span[0].lower() not in _MINOR:
            return " ".join(span)
    return None


# ---- the parser -------------------------------------------------------------------------------

@dataclass
class _Section:
    key: str
    lines: list[Line] = field(default_factory=list)


class PostingParser:
    """Parse announcement text into a `Posting`. Stateless; one instance serves many files."""

    def parse(self, raw: str, posting_id: str, source: str = "") -> Posting:
        lines = split_lines(raw)
        posting = Posting(id=posting_id, source=source)
        posting.text = "\n".join(ln.text for ln in lines if not ln.blank)
        posting.content_hash = hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()
        sections = self._sections(lines, posting)
        for section in sections:
            self._apply(section, posting)
        self._fallbacks(lines, posting)
        posting.acronyms = self._acronyms(posting)
        return posting

    # Split into sections; "Label: value" fields are recorded as they are met.
    def _sections(self, lines: list[Line], posting: Posting) -> list[_Section]:
        sections: list[_Section] = [_Section("header")]
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.blank:
                sections[-1].lines.append(line)
                i += 1
                continue
            text = line.text
            labelled = _split_label(text)
            if line.bullet and labelled and not (labelled[0] in _FIELDS
                                                 and sections[-1].key in {"header", "general"}):
                labelled = None  # a bullet is a field only in the general-information block
            if labelled and labelled[0] in _FIELDS and labelled[0] not in _SECTIONS:
                if not self._is_field_context(sections[-1].key, labelled[0]):
                    sections[-1].lines.append(line)
                    i += 1
                    continue
                value, i = self._field_value(lines, i, labelled[1], _FIELDS[labelled[0]])
                self._set_field(posting, _FIELDS[labelled[0]], value)
                continue
            key = _heading_key(text) if not line.bullet else None
            if key is None and labelled and labelled[0] in _SECTIONS:
                key = _SECTIONS[labelled[0]]
            heading_line = Line(labelled[0], heading_marker=True) if labelled else line
            if key and self._accept_heading(key, sections[-1].key, heading_line):
                sections.append(_Section(key))
                rest = labelled[1] if labelled and labelled[0] in _SECTIONS else ""
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
    def _is_field_context(section: str, label: str) -> bool:
        # A "Title:" line is a field anywhere; others only outside the long prose sections
        # (e.g. "Level: …" inside a duty bullet is prose).
        if label == "title":
            return True
        return section in {"header", "general", "supervision"}

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
            if _split_label(t) or _heading_key(t) or nxt.bullet or nxt.heading_marker:
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
    def _set_field(posting: Posting, key: str, value: str) -> None:
        value = value.strip().strip("*").strip()
        if not value:
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
            value = value.split()[0].rstrip(".,;")
        if key == "title":
            value = value.rstrip(".")
        if key == "grade":
            value = re.sub(r"^(P|G|NO)\s*-?\s*(\d)", r"\1\2", value)
        if not getattr(posting, key):
            setattr(posting, key, value)

    # ---- per-section extraction --------------------------------------------------------------

    def _apply(self, section: _Section, posting: Posting) -> None:
        key = section.key
        content = [ln for ln in section.lines if not ln.blank]
        if key == "header":
            self._header(content, posting)
        elif key in {"general", "qualifications", "training_learning", "supervision"}:
            if key == "supervision":
                self._supervision_free(content, posting)
            elif key == "general":
                posting.notes = _join(posting.notes, _paragraphs(content))
        elif key == "supervisor":
            text = " ".join(ln.text for ln in content[:3] if not _heading_key(ln.text))
            if text:
                posting.supervisor = _parse_supervisor(self._supervisor_text(content))
        elif key == "supervision_method":
            posting.supervision_method = _join(posting.supervision_method, _paragraphs(content))
        elif key == "introduction":
            posting.introduction = _join(posting.introduction, _paragraphs(content))
        elif key == "duties":
            self._duties(content, posting)
        elif key == "key_outputs":
            posting.key_outputs += [ln.text for ln in content if ln.bullet] or _as_items(content)
        elif key in {"education", "experience", "skills", "languages"}:
            block = getattr(posting, key)
            new = _requirement_block(content)
            setattr(posting, key, RequirementBlock(
                minimum=_join(block.minimum, new.minimum),
                desirable=_join(block.desirable, new.desirable),
            ))
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
        elif key == "background":
            posting.background = _join(posting.background, _paragraphs(content))

    @staticmethod
    def _supervisor_text(content: list[Line]) -> str:
        # The supervisor is the first paragraph after the label (it may wrap over lines).
        taken: list[str] = []
        for ln in content:
            if taken and (ln.bullet or len(" ".join(taken)) > 200):
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
        m = re.search(r"(?:supervised by|supervision of|reports? to)\s+([^.]+)", text, re.I)
        if m and not posting.supervisor.describe():
            posting.supervisor = _parse_supervisor(m.group(1))
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
        posting.duties_context = _join(posting.duties_context, " ".join(context))

    def _fallbacks(self, lines: list[Line], posting: Posting) -> None:
        text = posting.text
        if not posting.post_number:
            m = re.search(r"(?:post|vacancy|reference)\s*(?:number|no\.?|nr\.?)\s*:?\s*([\w/-]+)",
                          text, re.I)
            if m:
                posting.post_number = m.group(1).rstrip(".,")
        if not posting.month_of_issue:
            m = re.search(r"(?:issue|issued|published)\D{0,20}?(" + "|".join(MONTHS) +
                          r")\W+((?:19|20)\d{2})?", text, re.I)
            if m:
                posting.month_of_issue = m.group(1).capitalize()
                posting.year_of_issue = posting.year_of_issue or (m.group(2) or "")
        if not posting.title:
            for ln in lines:
                if re.search(r"junior professional officer", ln.text, re.I) and not re.search(
                        r"programme|vacancy proposal", ln.text, re.I):
                    posting.title = ln.text
                    break
        posting.title = _fix_ocr_acronym(posting.title)

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


def _fix_ocr_acronym(title: str) -> str:
    """'… artificial intelligence (Al)' → '… (AI)' when the initials show it is an acronym."""
    def repl(m: re.Match[str]) -> str:
        short = m.group(2)
        fixed = short.replace("l", "I")
        words = m.group(1).split()
        if short != fixed and _match_initials(words, fixed.upper()):
            return f"{m.group(1)} ({fixed})"
        return m.group(0)

    return re.sub(r"([\w\s-]+?)\s*\(([A-Za-z]{2,6})\)", repl, title)


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


_TEMPLATE_HINT = re.compile(
    r"^(indicate|please (complete|indicate|describe)|background information should)", re.I)


def _is_intro(text: str) -> bool:
    """Lead-in sentences ("… specifically:", "The JPO will:") and template instructions."""
    return text.rstrip().endswith(":") or bool(_TEMPLATE_HINT.match(text))


def _requirement_block(content: list[Line]) -> RequirementBlock:
    minimum: list[str] = []
    desirable: list[str] = []
    target = minimum
    for ln in content:
        sub = _sublabel(ln.text) if not ln.bullet else None
        if sub:
            target = minimum if sub[0] == "minimum" else desirable
            if sub[1]:
                target.append(sub[1])
            continue
        if _TEMPLATE_HINT.match(ln.text):
            continue
        target.append(("- " if ln.bullet else "") + ln.text)
    if minimum and not desirable:
        # "Excellent command of English. Spanish would be an asset." — one block, two levels.
        kept: list[str] = []
        for item in minimum:
            for sentence in split_sentences(item) if not item.startswith("- ") else [item]:
                (desirable if _ASSET_RE.search(sentence) else kept).append(sentence)
        minimum = kept if kept else minimum
    return RequirementBlock(minimum="\n".join(minimum).strip(),
                            desirable="\n".join(desirable).strip())


_ASSET_RE = re.compile(r"\b(would be an asset|is an asset|an advantage|desirable|preferred|"
                       r"would be a plus|is a plus)\b", re.I)
