"""Read posting files (.txt, .md, .pdf, .docx) into plain text."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx")


class LoadError(Exception):
    """A file that could not be read as a posting; the message names the file and the cause,
    `reason` says it in one word for replies in other languages: "type", "unreadable",
    "binary", "empty", "too_large" or "rejected" (read, but refused: not a posting, a
    duplicate…)."""

    def __init__(self, message: str, reason: str = "rejected") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class LoadedFile:
    path: Path
    text: str

    @property
    def posting_id(self) -> str:
        return self.path.stem


def read_text(path: Path, max_bytes: int | None = None) -> str:
    """The text of one posting file. Raises LoadError with a clear reason."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"{path.name}: unsupported file type {suffix or '(none)'}; "
                        f"use {', '.join(SUPPORTED_SUFFIXES)}", "type")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LoadError(f"{path.name}: cannot be read ({exc.strerror})", "unreadable") from exc
    if max_bytes is not None and size > max_bytes:
        raise LoadError(f"{path.name}: {size:,} bytes is over the limit of {max_bytes:,}",
                        "too_large")
    try:
        if suffix in (".txt", ".md"):
            text = _read_plain(path)
        elif suffix == ".pdf":
            text = _read_pdf(path)
        else:
            text = _read_docx(path)
    except LoadError:
        raise
    except Exception as exc:  # broken PDFs/DOCX raise many library-specific errors
        raise LoadError(f"{path.name}: not a readable {suffix[1:].upper()} file ({exc})",
                        "unreadable") from exc
    if not text.strip():
        raise LoadError(f"{path.name}: contains no text", "empty")
    return text


def _read_plain(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise LoadError(f"{path.name}: looks like a binary file, not text", "binary")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Windows-1252 is what most non-UTF-8 office exports are; keep every byte readable.
        return data.decode("cp1252", errors="replace")


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _read_docx(path: Path) -> str:
    import docx
    from docx.table import Table

    document = docx.Document(str(path))
    lines: list[str] = []
    # Paragraphs and tables in reading order: a general-information table belongs under its
    # heading, not after the last paragraph.
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells = [c.text.strip() for c in row.cells if c.text.strip()]
                if cells:
                    lines.append(": ".join(dict.fromkeys(cells)))
            continue
        text = block.text.strip()
        style = (block.style.name if block.style is not None else "").lower()
        if text and style.startswith("heading"):
            lines.append(f"## {text}")
        elif text and style.startswith("list"):
            lines.append(f"- {text}")
        else:
            lines.append(text)
    return "\n".join(lines)


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Posting files in a corpus folder, sorted; hidden files are ignored."""
    if not corpus_dir.is_dir():
        return []
    return sorted(
        p for p in corpus_dir.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in SUPPORTED_SUFFIXES
    )
