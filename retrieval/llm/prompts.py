"""The LLM's prompt files (`prompts/*.txt`), checked at load, and how data goes into them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from langchain_core.prompts import PromptTemplate

from retrieval.prompts import load_prompt, template_variables
from retrieval.text import fold

LEAK_WINDOW = 10  # words in a row shared with a prompt = the prompt is being echoed
_NAMES = ("system", "condense", "answer", "facts", "not_stated", "offtopic")
_NEEDED = {"condense": {"history", "question"}, "answer": {"excerpts", "notes", "question"},
           "facts": {"facts"}, "not_stated": {"facts"}}


@dataclass(frozen=True)
class Prompts:
    system: str
    condense: str
    answer: str
    facts: str  # heads the extractive answer, given to the model as one more excerpt
    not_stated: str  # the same when the extractive layer found no answer
    offtopic: str

    @classmethod
    def load(cls, directory: Path | None = None) -> Prompts:
        texts = {name: load_prompt(name, directory) for name in _NAMES}
        for name, needed in _NEEDED.items():
            missing = needed - template_variables(texts[name])
            if missing:
                raise ValueError(f"prompt {name!r} lacks {sorted(missing)}")
        return cls(**texts)

    def shingles(self) -> frozenset[tuple[str, ...]]:
        """Runs of LEAK_WINDOW words of the fixed prompt text (placeholders excluded)."""
        out: set[tuple[str, ...]] = set()
        for name in _NAMES:
            for segment in re.split(r"\{[a-zA-Z_]\w*\}", getattr(self, name)):
                ws = leak_words(segment)
                out.update(tuple(ws[i:i + LEAK_WINDOW])
                           for i in range(len(ws) - LEAK_WINDOW + 1))
        return frozenset(out)


def leak_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text))


def fill(template: str, **values: str) -> str:
    return PromptTemplate.from_template(template).format(**values)


def as_data(text: str) -> str:
    """User or corpus text placed inside the prompt's tags cannot close them."""
    return re.sub(r"</?\s*(question|facts)\s*>", " ", text, flags=re.IGNORECASE).strip()
