"""/language: the user picks the language of the bot's own texts (English, French, Spanish,
German).

The choice is stored (state/preferences.py) and wins over the Telegram app's language
from the next update on (bot/i18n.py). Answers themselves follow the language of the
question, whatever is chosen here.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import LOCALE_NAMES, N_, SUPPORTED_LOCALES, _, current_locale
from bot.replies import reply, show

if TYPE_CHECKING:
    from aiogram.utils.i18n import I18n

    from state.preferences import LanguageStore

logger = logging.getLogger(__name__)

CHOOSE = N_("Choose the language of my menus and messages. My answers follow the language "
            "of your question.")
CHANGED = N_("Done — I'll write to you in English from now on.")
NOT_SAVED = N_("I could not save your choice, so it applies to this message only.")
UNKNOWN_LANGUAGE = N_("I speak English, French, Spanish and German: choose one of them.")

# What `/language <name>` understands, besides the codes themselves.
_NAMES = {
    "english": "en", "anglais": "en", "inglés": "en", "ingles": "en",
    "french": "fr", "français": "fr", "francais": "fr", "francés": "fr", "frances": "fr",
    "spanish": "es", "español": "es", "espanol": "es", "espagnol": "es",
    "german": "de", "deutsch": "de", "allemand": "de", "alemán": "de", "aleman": "de",
    "englisch": "en", "französisch": "fr", "franzoesisch": "fr", "spanisch": "es",
}


class LanguageChoice(CallbackData, prefix="lang"):
    locale: str


def create_router() -> Router:
    # A fresh router per dispatcher: a Router can have only one parent, and tests build many.
    router = Router(name="language")
    router.message.register(language_command, Command("language"))
    router.callback_query.register(choose_language, LanguageChoice.filter())
    router.shutdown.register(close_languages)
    return router


async def close_languages(languages: LanguageStore | None = None) -> None:
    if languages is not None:
        await languages.close()


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for locale in SUPPORTED_LOCALES:
        label = LOCALE_NAMES[locale] + (" ✓" if locale == current else "")
        builder.button(text=label, callback_data=LanguageChoice(locale=locale))
    builder.adjust(2)
    return builder.as_markup()


def parse_locale(text: str) -> str | None:
    word = text.strip().casefold()
    return word if word in SUPPORTED_LOCALES else _NAMES.get(word)


async def _save(languages: LanguageStore | None, user_id: int, locale: str) -> bool:
    if languages is None:
        return False
    try:
        await languages.set(user_id, locale)
    except Exception:
        logger.exception("Saving the language of user %s failed", user_id)
        return False
    return True


def _confirmation(i18n: I18n, locale: str, saved: bool) -> str:
    """The confirmation, already in the chosen language."""
    with i18n.use_locale(locale):
        return _(CHANGED) if saved else f"{_(CHANGED)}\n{_(NOT_SAVED)}"


async def language_command(message: Message, command: CommandObject, i18n: I18n,
                           languages: LanguageStore | None = None) -> None:
    args = (command.args or "").strip()
    if not args:
        await reply(message, _(CHOOSE), reply_markup=language_keyboard(current_locale()))
        return
    locale = parse_locale(args)
    if locale is None or message.from_user is None:
        await reply(message, _(UNKNOWN_LANGUAGE),
                    reply_markup=language_keyboard(current_locale()))
        return
    saved = await _save(languages, message.from_user.id, locale)
    await reply(message, _confirmation(i18n, locale, saved))


async def choose_language(callback: CallbackQuery, callback_data: LanguageChoice, i18n: I18n,
                          languages: LanguageStore | None = None) -> None:
    locale = callback_data.locale
    if locale not in SUPPORTED_LOCALES:  # forged or from a future version
        await callback.answer()
        return
    saved = await _save(languages, callback.from_user.id, locale)
    await show(callback, _confirmation(i18n, locale, saved))
    await callback.answer()
