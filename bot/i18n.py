"""The bot's own texts in English, French, Spanish and German (gettext catalogs, aiogram's I18n).

Catalogs live as `.po` sources in bot/locales/<locale>/LC_MESSAGES/messages.po; the msgids
are the English texts, so English needs no translation. aiogram's `I18n` reads compiled
`.mo` files, which are not committed: `create_i18n` compiles them at start-up into
`<data_dir>/locales` (the source tree may be read-only in a container), only when a `.mo` is
missing or older than its `.po`.

Texts are marked with `N_()` where they are defined (module constants, so `pybabel extract`
finds them and tests can still import the English text) and translated with `_()` where they
are used, inside a request, where the user's locale is known. Outside a request (unit tests
calling a formatter directly) `_()` returns the English text.

The locale of a user: their explicit choice (/language, stored in SQLite), else Telegram's
`language_code` (fr*, es*, de* → fr, es, de; anything else → en).
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

if TYPE_CHECKING:
    from state.preferences import LanguageStore

logger = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).with_name("locales")
DOMAIN = "messages"
DEFAULT_LOCALE = "en"
SUPPORTED_LOCALES = ("en", "fr", "es", "de")
# Shown in each language's own name on the /language buttons.
LOCALE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "de": "Deutsch"}


def N_(message: str) -> str:
    """Mark a text for extraction without translating it (yet)."""
    return message


def gettext(message: str) -> str:
    """`message` in the current user's locale (English outside a request)."""
    i18n = I18n.get_current(no_error=True)
    return message if i18n is None else i18n.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    i18n = I18n.get_current(no_error=True)
    if i18n is None:
        return singular if n == 1 else plural
    return i18n.gettext(singular, plural, n)


_ = gettext


def current_locale() -> str:
    i18n = I18n.get_current(no_error=True)
    return DEFAULT_LOCALE if i18n is None else i18n.current_locale


def number(value: int) -> str:
    """An integer with the locale's digit grouping (2,000 · 2 000 · 2.000)."""
    return format_decimal(value, locale=current_locale())


# --------------------------------------------------------------------------- catalogs


def compile_catalogs(src: Path = LOCALES_DIR, dest: Path | None = None) -> Path:
    """Compile every `<src>/<locale>/LC_MESSAGES/messages.po` into the same layout under
    `dest` (a missing or older `.mo` only); returns `dest`."""
    dest = dest or src
    for po_path in sorted(src.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        locale = po_path.parent.parent.name
        mo_path = dest / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fp:
            catalog = read_po(fp, locale=locale, domain=DOMAIN)
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: another process starting at the same time never reads
        # a half-written file.
        fd, tmp = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                write_mo(out, catalog)
            os.replace(tmp, mo_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        logger.debug("Compiled %s", mo_path)
    return dest


def create_i18n(data_dir: Path, src: Path = LOCALES_DIR) -> I18n:
    """An `I18n` over catalogs compiled into `<data_dir>/locales`."""
    path = compile_catalogs(src, Path(data_dir) / "locales")
    return I18n(path=path, default_locale=DEFAULT_LOCALE, domain=DOMAIN)


def locale_from_code(language_code: str | None) -> str:
    """Telegram's IETF code ("fr", "fr-CA", "es-419", "de-AT") → a supported locale (else
    English)."""
    primary = (language_code or "").replace("_", "-").split("-")[0].lower()
    return primary if primary in SUPPORTED_LOCALES else DEFAULT_LOCALE


# --------------------------------------------------------------------------- middleware


class UserLocaleMiddleware(I18nMiddleware):
    """Chooses the locale of each update: the user's stored /language choice, else their
    Telegram language. The store reaches it as the dispatcher's `languages` workflow data
    (absent with test services: then only the Telegram language counts)."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        return await self.locale_for(data.get("event_from_user"), data.get("languages"))

    async def locale_for(self, user: User | None, store: LanguageStore | None) -> str:
        if user is None:
            return self.i18n.default_locale
        if store is not None:
            try:
                chosen = await store.get(user.id)
            except Exception as exc:  # a broken store must not silence the bot
                logger.warning("Reading the language of user %s failed: %r", user.id, exc)
                chosen = None
            if chosen in SUPPORTED_LOCALES:
                return chosen
        return locale_from_code(user.language_code)
