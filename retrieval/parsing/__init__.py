"""Vacancy announcement text → `Posting`: lines, headings, fields, requirements, values."""

from retrieval.parsing.parser import PostingParser
from retrieval.parsing.values import (
    EMAIL_RE,
    WEB_ADDRESS,
    duration_in_months,
    extract_acronyms,
    number_value,
    short_title,
    split_sentences,
)

__all__ = ["EMAIL_RE", "WEB_ADDRESS", "PostingParser", "duration_in_months", "extract_acronyms",
           "number_value", "short_title", "split_sentences"]
