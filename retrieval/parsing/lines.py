"""Raw text → cleaned, classified lines.

Before classification the text is repaired the way PDF extraction and plain-text exports break
it: page footers ("Page 2 of 4") and the running header repeated after each of them go, a word
hyphenated at a line end is joined, and a sentence broken mid-way continues on its line. A
"Label: value | Label: value" (or "·", "•") header line becomes one line per pair, a tab-separated
"Label<TAB>value" or markdown table row reads as "Label: value".
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from retrieval.parsing.headings import exact_or_fuzzy_section
from retrieval.parsing.labels import sublabel

# "- ", "• ", "1. ", "(2) ", and "3.1 " (a numbered section's items)
BULLET_RE = re.compile(
    r"^\s*(?:[-*•–·▪◦]|o(?=\s)|\d{1,2}[.)](?=\s)|\d{1,2}\.\d{1,2}\.?(?=\s)|\(\d{1,2}\)(?=\s)"
    r"|[a-z]\)(?=\s))\s+")
# "Page 2 of 4" alone or at the end of a footer line ("UNESCO JPO ToR – Beirut Page 1 of 3")
PAGE_FOOTER_RE = re.compile(
    r"^\s*(?:.{0,100}\s)?(?:page\s+\d+\s*(?:of|/)\s*\d+)\s*$|^\s*-\s*\d+\s*-\s*$", re.I)
# a numbered line of two words or more, all in capitals: a heading of a numbered layout; or one
# word, when it is a word ("6. TRAVEL", "8. VIAJES") and not an acronym ("1. UNDP")
_NUMBERED_CAPITALS_RE = re.compile(
    r"^\d{1,2}[.)]?\s+(?=[^a-z]*$)(?:[^\W\d_]{2,}(?:[\s,&/-]+[^\W\d_]+){1,9}"
    r"|(?P<word>[^\W\d_]{4,})):?\s*$")
RULE_RE = re.compile(r"^[-_=*—–•·\s]+$")
_PAIR_RE = re.compile(r"^[A-Z][\w ./()&'-]{1,40}:\s*\S")
# between the "Label: value" pairs of one header line
_PAIR_SEPARATOR_RE = re.compile(r"\s+[|·•]\s+")


def clean_inline(text: str) -> str:
    """Strip markdown emphasis, links and escapes from one line, keeping its words."""
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    if not any(c in text for c in "*_[<\\"):  # plain text (most lines): no markup to strip
        return re.sub(r"[ \t]+", " ", text).strip()
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)  # images
    # A link keeps its address: "where can I find more?" is answered by it.
    text = re.sub(r"\[([^\]]*)\]\(([^)\s]*)\)", _link_text, text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    text = re.sub(r"\\([()\[\]*_#.\-])", r"\1", text)
    text = text.replace("**", "").replace("__", "")
    # single-asterisk / underscore emphasis and stray asterisks, but not bullets at line start
    text = re.sub(r"(?<=\S)\*+|\*+(?=\S)", "", text)
    text = re.sub(r"(?<![\w])_(?=\S)|(?<=\S)_(?![\w])", "", text)
    text = re.sub(r"\s+\*+\s*$", "", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _link_text(m: re.Match[str]) -> str:
    label, url = m.group(1).strip(), m.group(2).strip()
    if not label:
        return url
    if url.startswith(("http://", "https://", "www.")) and url not in label:
        return f"{label} ({url})"
    return label


@dataclass
class Line:
    text: str  # cleaned text, markers removed
    bullet: bool = False
    heading_marker: bool = False  # markdown '#' or a line that was entirely bold/italic
    blank: bool = False
    table_row: bool = False  # a markdown table row or a split header pair


# ---- repair of extracted text -------------------------------------------------------------------

def remove_page_furniture(lines: list[str]) -> list[str]:
    """Drop page footers and the running header lines that repeat right after them."""
    footers = [i for i, ln in enumerate(lines) if PAGE_FOOTER_RE.match(ln)]
    if not footers:
        return lines
    drop = set(footers)
    counts = Counter(ln.strip() for ln in lines if ln.strip())
    running: set[str] = set()
    for i in footers:
        j = i + 1
        while j < len(lines) and j - i <= 3:
            stripped = lines[j].strip()
            if stripped and not RULE_RE.match(stripped) and counts[stripped] < 2:
                break
            drop.add(j)
            running.add(stripped)
            j += 1
    # The running header also opens the first page, where no footer precedes it.
    return [ln for i, ln in enumerate(lines)
            if i not in drop and not (ln.strip() and ln.strip() in running)]


def _continues(previous: str, nxt: str) -> bool:
    """Whether `nxt` is the rest of a sentence broken at the end of `previous`."""
    prev, following = previous.rstrip(), nxt.strip()
    if not prev or not following or RULE_RE.match(following) or BULLET_RE.match(following):
        return False
    if following.startswith(("#", "|", "**")) or prev.startswith(("#", "|")):
        return False
    if prev.endswith("-") and not prev.endswith(" -") and following[:1].islower():
        return True
    if re.search(r"[.:!?…]$", prev) or len(prev) < 50:
        return False
    if re.search(r"\s(?:the|a|an|and|or|of|to|in|on|for|with|by|from|at)$", prev):
        return True  # "… course “Introduction to Nuclear Security” and the" + "IAEA course …"
    if re.fullmatch(r"[A-Z][\w'’-]*(?:\s[\w'’-]+){0,2}[.;]", following) \
            or re.match(r"[A-Z][\w'’-]*,\s+[a-z]", following):
        return True  # "… contexts in Latin" + "America.", "… including Chadian" + "Arabic, is …"
    return following[:1].islower() or (prev.endswith((",", ";")) and len(following) < 90
                                       and not _PAIR_RE.match(following))


def join_broken_lines(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if out and _continues(out[-1], line):
            prev = out[-1].rstrip()
            if prev.endswith("-") and line.strip()[:1].islower() and re.search(r"\w-$", prev):
                out[-1] = prev[:-1] + line.strip()
            else:
                out[-1] = prev + " " + line.strip()
            continue
        out.append(line)
    return out


def split_pairs(line: str) -> list[str]:
    """'Job no: 1 | Duty Station: Maputo | Level: P-2' → one line per pair; 'Label<TAB>value'
    → 'Label: value'."""
    stripped = line.strip()
    if "\t" in stripped and not stripped.startswith("|"):
        cells = [c.strip() for c in stripped.split("\t") if c.strip()]
        if len(cells) == 2 and len(cells[0]) <= 40:
            return [f"{cells[0].rstrip(':')}: {cells[1]}"]
    if _PAIR_SEPARATOR_RE.search(stripped) and not stripped.startswith("|"):
        # "> **Where:** Nairobi · **For how long:** 24 months · **Apply by:** 9 January"
        stripped = re.sub(r"^>\s*", "", stripped)
        parts = [p.strip() for p in _PAIR_SEPARATOR_RE.split(stripped) if p.strip()]
        if len(parts) >= 2 and sum(bool(_PAIR_RE.match(clean_inline(p))) for p in parts) >= 2:
            return parts
    return [line]


# ---- classification -------------------------------------------------------------------------

def split_lines(raw: str) -> list[Line]:
    raw = raw.replace("\u00ad", "")  # soft hyphens of typeset PDFs
    raw_lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    raw_lines = join_broken_lines(remove_page_furniture(raw_lines))
    lines: list[Line] = []
    levels: list[str] | None = None  # the columns of a requirement-level table, see below
    for n, original in enumerate(raw_lines):
        cells = _table_cells(original)
        if cells is None:
            levels = None
        elif n + 1 < len(raw_lines) and _is_table_rule(raw_lines[n + 1]):
            levels = _level_columns(cells)
            if levels is not None:
                continue  # "| | Essential | Desirable |" is a header, not content
        elif levels is not None and not _is_table_rule(original):
            lines.extend(_level_row(cells, levels))
            continue
        pieces = split_pairs(original)
        for piece in pieces:
            lines.append(_classify(piece, table_row=len(pieces) > 1))
    return lines


def _table_cells(line: str) -> list[str] | None:
    stripped = line.strip()
    if not (stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1):
        return None
    return [c.strip() for c in stripped[1:-1].split("|")]


def _is_table_rule(line: str) -> bool:
    cells = _table_cells(line)
    return bool(cells) and all(re.fullmatch(r":?-{2,}:?", c) for c in cells or [])


def _level_columns(header: list[str]) -> list[str] | None:
    """A table whose columns after the first are requirement levels ("| | Essential |
    Desirable |", "| Critère | Obligatoire | Souhaitable |") → each column's level."""
    levels = []
    for cell in header[1:]:
        level = sublabel(clean_inline(cell).rstrip(":"))
        if level is None or level[1]:
            return None
        levels.append(level[0])
    return levels if len(set(levels)) == 2 else None


def _level_row(cells: list[str], levels: list[str]) -> list[Line]:
    """'| Education | Master's degree … | A PhD … |' under level columns → the row's label as
    a heading, then one 'Minimum: …' / 'Desirable: …' line per filled cell, the way postings
    that write their requirements as lists say it."""
    label = clean_inline(cells[0]).rstrip(":")
    out = [Line(label, heading_marker=True)] if label else []
    for level, cell in zip(levels, cells[1:], strict=False):
        text = clean_inline(cell)
        if text and text not in ("-", "–", "—"):
            out.append(Line(f"{level.capitalize()}: {text}"))
    return out


def _numbered_capitals(line: str) -> bool:
    m = _NUMBERED_CAPITALS_RE.match(line)
    if not m or not m.group("word"):
        return bool(m)
    from wordfreq import zipf_frequency

    word = m.group("word")
    return word not in _organisation_acronyms() and max(
        zipf_frequency(word.lower(), lang) for lang in ("en", "fr", "es")) >= 3.0


@cache
def _organisation_acronyms() -> frozenset[str]:
    """"UNICEF", "UNESCO": words common enough, yet the names of organisations."""
    from retrieval.lexicon import load_yaml

    return frozenset(name for short, aliases in load_yaml("organisations.yaml").items()
                     for name in [short, *aliases])


def _classify(original: str, *, table_row: bool = False) -> Line:
    stripped = original.strip()
    if not stripped or RULE_RE.fullmatch(stripped):
        return Line("", blank=True)
    if stripped.startswith("|") and stripped.endswith("|"):
        # Markdown table row: "| Label | value |" reads as "Label: value".
        cells = [c.strip() for c in stripped.strip("|").split("|") if c.strip()]
        if not cells or all(re.fullmatch(r":?-{2,}:?", c) for c in cells):
            return Line("", blank=True)
        stripped = ": ".join([cells[0].rstrip(":"), *cells[1:]]) if len(cells) > 1 else cells[0]
        table_row = True
    stripped = re.sub(r"^>\s*", "", stripped)  # markdown block quote
    heading_marker = bool(re.match(r"^#{1,6}\s", stripped))
    stripped = re.sub(r"^#{1,6}\s*", "", stripped)
    wholly_emphasised = bool(re.fullmatch(r"(\*\*|__)[^*_]+(\*\*|__):?\s*", stripped))
    bullet = bool(BULLET_RE.match(stripped)) and not re.match(r"^\*\*", stripped)
    if bullet and (exact_or_fuzzy_section(clean_inline(stripped))
                   or _numbered_capitals(stripped)):
        # "4. Duties and Responsibilities", "5. CALIFICACIONES REQUERIDAS" are numbered
        # headings, not list items.
        bullet, heading_marker = False, True
    if bullet:
        stripped = BULLET_RE.sub("", stripped, count=1)
    text = clean_inline(stripped)
    # "Lieu d'affectation ........ Dakar", "Grade ..... : P-2": a dotted leader is a colon
    text = re.sub(r"^([^.:]{2,60}?)\s*\.{3,}\s*:?\s*(?=\S)", r"\1: ", text)
    if not text:
        return Line("", blank=True)
    return Line(text, bullet=bullet, heading_marker=heading_marker or wholly_emphasised,
                table_row=table_row)
