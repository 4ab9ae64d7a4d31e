"""Values inside a posting's text: titles, numbers, durations, sentences, supervisors,
acronyms, duty stations and the organisation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from retrieval.lexicon import load_yaml
from retrieval.models import Supervisor

MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# a web address as postings write it: "www.ilo.org/business", "https://www.ilo.org/srm-twg"
WEB_ADDRESS = r"(?:https?://|www\.)\S+"
# English, French and Spanish forms of address ("M. Olivier X", "Sra. Y")
HONORIFIC = r"(?:Ms|Mr|Mrs|Dr|Prof|Mme|Mlle|M|Sra|Srta|Sr|Dra)"
YEAR_RE = re.compile(r"\b(19|20)\d{2}\b")
ROLE_WORDS = {
    "adviser", "advisor", "head", "director", "chief", "officer", "specialist", "coordinator",
    "manager", "economist", "expert", "senior", "technical", "legal", "programme", "program",
    "deputy", "team", "lead", "leader", "analyst", "unit", "section", "branch", "of", "the",
}

@lru_cache(maxsize=65536)  # lists over every posting shorten every title per answer
def short_title(title: str) -> str:
    """'Junior Professional Officer in X' → 'X'."""
    t = re.sub(r"^\s*(?:junior professional officer|oficial profesional junior)\s*(\(jpo\))?"
               r"\s*(in|on|for|en|–|-|:|,)?\s*", "", title, flags=re.I)
    return t.strip() or title.strip()


# word → value, in every language (lexicon/numbers.yaml), and a number in digits or words
# (group 1) for every reader's patterns
NUMBER_WORDS: dict[str, int] = {
    word: value for table in load_yaml("numbers.yaml").values() for word, value in table.items()}
NUMBER = r"(\d+(?:[.,]\d+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"


def number_value(token: str) -> float | None:
    token = token.lower().strip()
    if re.fullmatch(r"\d+(?:[.,]\d+)?", token):
        return float(token.replace(",", "."))
    return float(NUMBER_WORDS[token]) if token in NUMBER_WORDS else None


_NUM = r"\b" + NUMBER


@lru_cache(maxsize=4096)  # corpus-wide answers read every posting's duration per question
def duration_in_months(text: str) -> int | None:
    """The first stated length of an assignment in months ('2 years…' → 24)."""
    m = re.search(_NUM + r"[\s-]*(year|yr|month)s?", text or "", flags=re.I)
    if not m:
        return None
    value = number_value(m.group(1))
    if value is None:
        return None
    return round(value * (12 if m.group(2).lower().startswith(("year", "yr")) else 1))


_ABBREVIATION_END = re.compile(r"(?i:\b(?:e\.g|i\.e|cf|incl|approx|vs|nos?|nr)\.)$|\b"
                               + HONORIFIC + r"\.$")


def split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.;!?])\s+(?=[A-Z(\"'“])", text.strip())
    out: list[str] = []
    for part in (p.strip() for p in parts):
        if out and _ABBREVIATION_END.search(out[-1]):
            out[-1] += " " + part  # "tools (e.g. Power BI)" is one sentence
        elif part:
            out.append(part)
    return out


def _parse_supervisor(text: str) -> Supervisor:
    raw = re.sub(r"\s+", " ", text).strip()
    email_m = EMAIL_RE.search(raw)
    email = email_m.group(0).rstrip(".") if email_m else ""
    rest = EMAIL_RE.sub("", raw) if email else raw
    if email:  # "…, Secretariat E-mail: x@un.org" — the label goes with the address
        rest = re.sub(r"\b(?:e-?mail|email)\s*:?", "", rest, flags=re.I)
    rest = re.sub(r"\(\s*\)", "", rest)
    rest = re.sub(r"[\s,;:(–—-]+$", "", rest).strip().rstrip(".").strip()
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
    elif len(parts) > 1 and re.match(HONORIFIC + r"\.?\s+[A-Z]", parts[1]) \
            and len(parts[1].split()) <= 6:
        name, role = parts[1].strip(" ,;:"), first  # "Chief of Child Protection, Ms. X"
    else:
        # "Country Director, UNAIDS Brazil — Ms. Helena Duarte": the name closes the line
        last = re.search(r"(?:[,;—–]|\s-\s)\s*(" + HONORIFIC + r"\.?\s+[A-Z][^,;—–()]{1,60})$",
                         rest)
        if last and len(last.group(1).split()) <= 6:
            name, role = last.group(1).strip(), rest[:last.start()].strip(" ,;:—–-")
    return Supervisor(name=name, role=role, email=email, raw=raw)


_ACRONYM_RE = re.compile(r"([A-Za-z][\w'’\- ,&]{2,120}?)\s*\(([A-Za-z][A-Za-z/&\- ]{1,15})\)")
_SHORT_FORM_RE = re.compile(r"\(([A-Za-z][A-Za-z/&\- ]{1,15})\)")


def _acronym_matches(text: str) -> Iterator[re.Match[str]]:
    """`_ACRONYM_RE.finditer(text)`, searched only before each parenthesis that can hold a short
    form: tried at every letter of a posting, its lazy long form made it the parser's slowest
    step. (The long form cannot contain a parenthesis, so each match ends at the first short
    form after its start, and searching back from each one finds the same matches.)"""
    end = 0
    for short in _SHORT_FORM_RE.finditer(text):
        if short.start() < end:
            continue
        m = _ACRONYM_RE.search(text, max(end, short.start() - 1000), short.end())
        if m:
            yield m
            end = m.end()


def extract_acronyms(text: str) -> dict[str, str]:
    """Acronym → long form for 'Long Form Words (LFW)' patterns (a light Schwartz–Hearst).

    Letters are matched to word initials; an 'l' that stands for 'I' (a common OCR slip, e.g.
    '(Al)' for '(AI)') is accepted so the acronym is recorded in its intended form.
    """
    found: dict[str, str] = {}
    for m in _acronym_matches(text):
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

