"""Vacancy announcement text → `Posting`: lines, headings, fields, requirements, values."""

from retrieval.parsing.parser import PostingParser
from retrieval.parsing.values import (
    duration_in_months,
    extract_acronyms,
    number_value,
    short_title,
    split_sentences,
)

__all__ = ["PostingParser", "duration_in_months", "extract_acronyms", "number_value",
           "short_title", "split_sentences"]
