"""Receiving a document from Telegram, for admin uploads (postings) and users' CVs alike.

Checked before anything is downloaded: the file type (from its name, else its MIME type) and
the size Telegram announces, against the one limit `JPO_MAX_UPLOAD_BYTES` (the loaders check
it again after the download, for documents sent without a size). The download goes into a
private temporary folder under a name of ours, never the sender's (it could be a path);
`discard` removes the folder.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Document
from aiohttp import ClientError

from retrieval.loaders import SUPPORTED_SUFFIXES

logger = logging.getLogger(__name__)

# Documents often arrive without a usable name (forwarded, sent from some clients).
_MIME_SUFFIX = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "text/plain": ".txt",
    "text/markdown": ".md",
}


def upload_suffix(document: Document) -> str | None:
    """The file type to read the upload as, from its name or else its MIME type."""
    suffix = Path(document.file_name or "").suffix.lower()
    if not suffix:
        suffix = _MIME_SUFFIX.get(document.mime_type or "", "")
    return suffix if suffix in SUPPORTED_SUFFIXES else None


def refusal(document: Document, limit: int) -> Literal["type", "size"] | None:
    """Why a document is refused before downloading it, if it is."""
    if upload_suffix(document) is None:
        return "type"
    if document.file_size is not None and document.file_size > limit:
        return "size"
    return None


@dataclass
class Downloaded:
    path: Path  # alone in its own temporary folder

    def discard(self) -> None:
        shutil.rmtree(self.path.parent, ignore_errors=True)


async def download(bot: Bot, document: Document, name: str) -> Downloaded | None:
    """The document in a fresh temporary folder; None when Telegram would not give it."""
    suffix = upload_suffix(document) or ".txt"
    folder = Path(tempfile.mkdtemp(prefix="jpo-upload-"))
    path = folder / f"upload{suffix}"
    try:
        await bot.download(document, destination=path)
    except (TelegramAPIError, ClientError, OSError, TimeoutError) as exc:
        logger.warning("Download of %r failed: %r", name, exc)
        shutil.rmtree(folder, ignore_errors=True)
        return None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Downloaded(path)
