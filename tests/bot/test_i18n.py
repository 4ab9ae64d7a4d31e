"""The bot's own texts in English, French, Spanish (issue 7, part 1) and German (issue 15).

Catalogs: every text has a translation with the same placeholders and the same HTML, the
catalogs match the texts in the code, and they compile. Through the dispatcher: French,
Spanish and German users (Telegram language, or their /language choice, which survives a
restart) see the bot's texts in their language, everyone else sees English. End-to-end runs
against the fake Bot API server with the real services: a French question, French chrome,
the right answer; a German conversation the same way.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage, SetMyCommands
from aiogram.types import InlineKeyboardMarkup, Update
from aiogram.utils.i18n import I18n
from babel.messages.pofile import read_po

from bot.app import SOMETHING_WENT_WRONG, create_dispatcher, set_commands
from bot.formatting import Section, format_welcome
from bot.i18n import (
    LOCALES_DIR,
    SUPPORTED_LOCALES,
    compile_catalogs,
    create_i18n,
    locale_from_code,
)
from bot.i18n_extract import messages_in
from bot.keyboards import PostingView
from bot.routers.language import LanguageChoice
from state.preferences import LanguageStore

# The e2e harness and its session services, reused as they are (see the last test).
from tests.bot.test_bot_e2e import Telegram, real_services, telegram  # noqa: F401
from tests.support.fake_bot_api import FakeBotAPI, Request
from tests.support.fakes import (
    USER_ID,
    FakeServices,
    callback_update,
    fake_services,
    make_settings,
    message_update,
)
from tests.support.mocked_bot import MockedBot
from tests.support.telegram_html import check_html, html_to_text

BOT_SOURCES = sorted((Path(__file__).parents[2] / "bot").rglob("*.py"))
PLACEHOLDER = re.compile(r"\{(\w*)\}")
TAG = re.compile(r"</?([a-zA-Z][\w-]*)[^>]*>")


def catalog(locale: str) -> Any:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return read_po(fp, locale=locale)


def pairs(message: Any) -> list[tuple[str, str]]:
    """(msgid, msgstr) for a message, each plural form against its English form."""
    if isinstance(message.id, tuple):
        singular, plural = message.id
        return [(singular if i == 0 else plural, s) for i, s in enumerate(message.string)]
    return [(message.id, message.string)]


# --------------------------------------------------------------------------- catalogs


@pytest.mark.parametrize("locale", ["fr", "es", "de"])
def test_every_text_is_translated_with_the_same_placeholders_and_html(locale: str) -> None:
    messages = [m for m in catalog(locale) if m.id]
    assert len(messages) > 150
    for message in messages:
        assert not message.fuzzy, message.id
        for msgid, msgstr in pairs(message):
            assert msgstr and msgstr.strip(), f"{locale}: no translation for {msgid!r}"
            assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(msgid)), \
                (locale, msgid, msgstr)
            check_html(msgstr)  # balanced, only Telegram's tags, entities escaped
            assert sorted(TAG.findall(msgstr)) == sorted(TAG.findall(msgid)), (msgid, msgstr)
            # a command named in the text stays a command
            assert set(re.findall(r"/[a-z]+\b", msgstr)) >= set(re.findall(r"(?<![<\w])/[a-z]+\b",
                                                                           msgid)), msgid


def test_catalogs_hold_exactly_the_texts_of_the_code() -> None:
    """`make i18n-extract` has been run: no text missing from the catalogs, none stale."""
    in_code: set[Any] = set()
    for path in BOT_SOURCES:
        in_code.update(m for _, _, m in messages_in(path.read_text(encoding="utf-8")))
    for locale in SUPPORTED_LOCALES:
        ids = {m.id for m in catalog(locale) if m.id}
        assert in_code - ids == set(), f"{locale}: missing from the catalog"
        assert ids - in_code == set(), f"{locale}: no longer in the code"


def test_catalogs_compile_and_load(tmp_path: Path) -> None:
    dest = compile_catalogs(LOCALES_DIR, tmp_path / "locales")
    for locale in SUPPORTED_LOCALES:
        assert (dest / locale / "LC_MESSAGES" / "messages.mo").stat().st_size > 0
    i18n = I18n(path=dest)
    assert set(i18n.available_locales) == set(SUPPORTED_LOCALES)
    assert i18n.gettext("⬅ Back", locale="fr") == "⬅ Retour"
    assert i18n.gettext("⬅ Back", locale="es") == "⬅ Atrás"
    assert i18n.gettext("⬅ Back", locale="de") == "⬅ Zurück"
    assert i18n.gettext("{years} year", "{years} years", 1, locale="de") == "{years} Jahr"
    assert i18n.gettext("{years} year", "{years} years", 2, locale="de") == "{years} Jahre"
    assert i18n.gettext("⬅ Back", locale="en") == "⬅ Back"
    assert i18n.gettext("{years} year", "{years} years", 2, locale="fr") == "{years} ans"
    # nothing is under the source tree: it may be read-only
    assert not list(LOCALES_DIR.rglob("*.mo"))


def test_catalogs_are_compiled_only_when_stale(tmp_path: Path) -> None:
    src = tmp_path / "src"
    po = src / "fr" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_bytes((LOCALES_DIR / "fr" / "LC_MESSAGES" / "messages.po").read_bytes())
    mo = compile_catalogs(src, tmp_path / "out") / "fr" / "LC_MESSAGES" / "messages.mo"
    first = mo.stat().st_mtime_ns
    time.sleep(0.01)
    compile_catalogs(src, tmp_path / "out")
    assert mo.stat().st_mtime_ns == first
    later = time.time() + 5
    os.utime(po, (later, later))
    compile_catalogs(src, tmp_path / "out")
    assert mo.stat().st_mtime_ns != first


@pytest.mark.parametrize(("code", "locale"), [
    ("fr", "fr"), ("fr-CA", "fr"), ("FR", "fr"), ("es", "es"), ("es-419", "es"),
    ("de", "de"), ("de-AT", "de"), ("de_CH", "de"),
    ("en", "en"), ("en-GB", "en"), ("it", "en"), ("pt-br", "en"), ("", "en"), (None, "en"),
])
def test_locale_from_telegram_language_code(code: str | None, locale: str) -> None:
    assert locale_from_code(code) == locale


# --------------------------------------------------------------------------- through the bot


def with_language(update: Update, code: str | None) -> Update:
    data = update.model_dump(by_alias=True, exclude_none=True)
    for kind in ("message", "callback_query"):
        if kind in data and code is not None:
            data[kind]["from"]["language_code"] = code
    return Update.model_validate(data)


class Chat:
    def __init__(self, dp: Dispatcher, bot: MockedBot, code: str | None,
                 user_id: int = USER_ID) -> None:
        self.dp, self.bot, self.code, self.user_id = dp, bot, code, user_id

    async def _feed(self, update: Update) -> list[Any]:
        mark = len(self.bot.requests)
        await self.dp.feed_update(self.bot, with_language(update, self.code))
        new = self.bot.requests[mark:]
        for r in new:
            if isinstance(r, SendMessage | EditMessageText):
                check_html(r.text)
                assert SOMETHING_WENT_WRONG not in r.text
        return new

    async def send(self, text: str) -> list[Any]:
        return await self._feed(message_update(text, user_id=self.user_id))

    async def press(self, data: Any) -> list[Any]:
        return await self._feed(callback_update(data.pack(), user_id=self.user_id))


def shown(requests: list[Any]) -> SendMessage | EditMessageText:
    return [r for r in requests if isinstance(r, SendMessage | EditMessageText)][-1]


def buttons(request: SendMessage | EditMessageText) -> list[str]:
    markup = request.reply_markup
    assert isinstance(markup, InlineKeyboardMarkup)
    return [b.text for row in markup.inline_keyboard for b in row]


@pytest.fixture
def services(tmp_path: Path) -> FakeServices:
    return fake_services(data_dir=tmp_path)


@pytest.fixture
async def languages(tmp_path: Path) -> AsyncIterator[LanguageStore]:
    store = LanguageStore(tmp_path / "state.sqlite3")
    yield store
    await store.close()


def dispatcher(services: FakeServices, store: LanguageStore | None = None) -> Dispatcher:
    dp = create_dispatcher(services)  # type: ignore[arg-type]
    if store is not None:
        dp.workflow_data["languages"] = store  # the real Services provides it under this name
    return dp


# What each screen says, in each language (a phrase of the translation, not the English).
EXPECTED = {
    "fr": {"start": "Bonjour, User111 ! Je réponds aux questions",
           "known": "Je connais <b>3</b> offres",
           "browse": "📋 Parcourir les offres",
           "help": "<b>Comment m'utiliser</b>",
           "card": "<b>Lieu d'affectation :</b> Geneva, Switzerland",
           "section": "Tâches",
           "back": "⬅ Retour",
           "throttle": "Vous envoyez des messages un peu vite",
           "wizard": "<b>Étape 1 sur 5</b> — Quel est votre diplôme universitaire le plus élevé ?",
           "degree": "Premier diplôme universitaire",
           "cancel": "✖ Annuler",
           "sources": "<b>Sources</b>"},
    "es": {"start": "¡Hola, User111! Respondo preguntas",
           "known": "Conozco <b>3</b> vacantes",
           "browse": "📋 Ver vacantes",
           "help": "<b>Cómo usarme</b>",
           "card": "<b>Lugar de destino:</b> Geneva, Switzerland",
           "section": "Funciones",
           "back": "⬅ Atrás",
           "throttle": "Está enviando mensajes un poco rápido",
           "wizard": "<b>Paso 1 de 5</b> — ¿Cuál es su título universitario más alto?",
           "degree": "Primer título universitario",
           "cancel": "✖ Cancelar",
           "sources": "<b>Fuentes</b>"},
    "de": {"start": "Hallo, User111! Ich beantworte Fragen",
           "known": "Ich kenne <b>3</b> Ausschreibungen",
           "browse": "📋 Ausschreibungen ansehen",
           "help": "<b>So nutzen Sie mich</b>",
           "card": "<b>Dienstort:</b> Geneva, Switzerland",
           "section": "Aufgaben",
           "back": "⬅ Zurück",
           "throttle": "Sie senden Nachrichten etwas schnell",
           "wizard": "<b>Schritt 1 von 5</b> — Was ist Ihr höchster Hochschulabschluss?",
           "degree": "Erster Hochschulabschluss",
           "cancel": "✖ Abbrechen",
           "sources": "<b>Quellen</b>"},
}


@pytest.mark.parametrize("code", ["fr", "es", "de"])
async def test_bot_texts_follow_the_telegram_language(services: FakeServices, bot: MockedBot,
                                                      code: str) -> None:
    expected = EXPECTED[code]
    chat = Chat(dispatcher(services), bot, code)

    start = shown(await chat.send("/start"))
    assert expected["start"] in start.text and expected["known"] in start.text
    assert expected["browse"] in buttons(start)

    assert shown(await chat.send("/help")).text.startswith(expected["help"])

    card = shown(await chat.press(PostingView(key="002_normes", section=Section.CARD)))
    assert expected["card"] in card.text
    assert expected["section"] in buttons(card) and expected["back"] in buttons(card)
    assert "Lisa Tortell" in card.text  # posting data itself is never translated

    answer = shown(await chat.send("Where is it?"))
    assert expected["sources"] in answer.text

    wizard = shown(await chat.send("/eligibility"))
    assert expected["wizard"] in wizard.text
    assert expected["degree"] in buttons(wizard) and expected["cancel"] in buttons(wizard)


@pytest.mark.parametrize("code", ["fr", "es", "de"])
async def test_throttle_warning_in_the_users_language(services: FakeServices, bot: MockedBot,
                                                      code: str) -> None:
    services.settings.throttle_seconds = 60.0
    chat = Chat(dispatcher(services), bot, code)
    await chat.send("/help")
    warning = shown(await chat.send("/help"))
    assert warning.text.startswith(EXPECTED[code]["throttle"])


@pytest.mark.parametrize("code", ["it", "en", None])
async def test_other_languages_get_english(services: FakeServices, bot: MockedBot,
                                           code: str | None) -> None:
    chat = Chat(dispatcher(services), bot, code)
    start = shown(await chat.send("/start"))
    catalog_ = services.catalog
    assert start.text == format_welcome("User111", len(catalog_), catalog_.last_indexed)
    assert start.text.startswith("Hello, User111! I answer questions")
    assert "📋 Browse postings" in buttons(start)
    wizard = shown(await chat.send("/eligibility"))
    assert "<b>Step 1 of 5</b> — What is your highest university degree?" in wizard.text


async def test_language_choice_wins_and_survives_a_restart(
    services: FakeServices, bot: MockedBot, languages: LanguageStore, tmp_path: Path
) -> None:
    chat = Chat(dispatcher(services, languages), bot, "en")
    menu = shown(await chat.send("/language"))
    assert buttons(menu) == ["English ✓", "Français", "Español", "Deutsch"]

    requests = await chat.press(LanguageChoice(locale="es"))
    assert shown(requests).text == "Hecho: a partir de ahora le escribiré en español."
    assert len([r for r in requests if isinstance(r, AnswerCallbackQuery)]) == 1
    assert shown(await chat.send("/help")).text.startswith(EXPECTED["es"]["help"])
    assert await languages.get(USER_ID) == "es"

    # A new dispatcher and a new store on the same SQLite file: the choice is still there.
    await languages.close()
    again = LanguageStore(tmp_path / "state.sqlite3")
    try:
        chat = Chat(dispatcher(services, again), MockedBot(), "en")
        assert shown(await chat.send("/help")).text.startswith(EXPECTED["es"]["help"])
        assert buttons(shown(await chat.send("/language")))[2] == "Español ✓"
        # the typed form, and back to English over a French Telegram
        chat.code = "fr"
        assert shown(await chat.send("/language english")).text == \
            "Done — I'll write to you in English from now on."
        assert shown(await chat.send("/help")).text.startswith("<b>How to use me</b>")
        assert await again.get(USER_ID) == "en"
        # another user is not affected
        other = Chat(chat.dp, chat.bot, "fr", user_id=USER_ID + 1)
        assert shown(await other.send("/help")).text.startswith(EXPECTED["fr"]["help"])
    finally:
        await again.close()


async def test_unknown_language_name_shows_the_choices(services: FakeServices,
                                                       bot: MockedBot) -> None:
    chat = Chat(dispatcher(services), bot, "fr")
    reply = shown(await chat.send("/language klingon"))
    assert reply.text == ("Je parle anglais, français, espagnol et allemand : choisissez l'une "
                          "de ces langues.")
    assert buttons(reply) == ["English", "Français ✓", "Español", "Deutsch"]


async def test_german_is_chosen_by_name_and_kept(services: FakeServices, bot: MockedBot,
                                                 languages: LanguageStore) -> None:
    chat = Chat(dispatcher(services, languages), bot, "en")
    assert shown(await chat.send("/language deutsch")).text == \
        "Erledigt — ich schreibe Ihnen ab jetzt auf Deutsch."
    assert await languages.get(USER_ID) == "de"
    assert shown(await chat.send("/help")).text.startswith(EXPECTED["de"]["help"])
    assert buttons(shown(await chat.send("/language")))[3] == "Deutsch ✓"


async def test_without_a_store_the_choice_applies_to_the_reply_only(
    services: FakeServices, bot: MockedBot
) -> None:
    chat = Chat(dispatcher(services), bot, "en")
    text = shown(await chat.press(LanguageChoice(locale="fr"))).text
    assert text.startswith("C'est fait") and "ne vaut que pour ce message" in text
    assert shown(await chat.send("/help")).text.startswith("<b>How to use me</b>")


async def test_french_wizard_to_the_end(services: FakeServices, bot: MockedBot,
                                        tmp_path: Path) -> None:
    from bot.eligibility_views import WizardStep
    from retrieval.eligibility import EligibilityChecker
    from state.profiles import ProfileStore

    profiles = ProfileStore(tmp_path / "profiles.sqlite3")
    dp = dispatcher(services)
    dp.workflow_data.update(profiles=profiles, eligibility=EligibilityChecker(services.catalog))
    chat = Chat(dp, bot, "fr")
    try:
        await chat.send("/eligibility")
        assert "<b>Étape 2 sur 5</b>" in shown(
            await chat.press(WizardStep(action="degree", value="advanced"))).text
        assert "<b>Étape 3 sur 5</b>" in shown(await chat.send("en droit du travail")).text
        assert "<b>Étape 4 sur 5</b>" in shown(await chat.send("3 ans")).text
        await chat.press(WizardStep(action="skip"))
        languages = shown(await chat.press(WizardStep(action="lang", value="fr")))
        assert "✅ Français" in buttons(languages) and "▫️ Anglais" in buttons(languages)
        summary = shown(await chat.press(WizardStep(action="done"))).text
        assert "<b>Votre profil</b>" in summary and "3 ans" in summary
        assert "Diplôme avancé (master ou équivalent) en droit du travail" in summary
        result = shown(await chat.press(WizardStep(action="confirm"))).text
        assert result.startswith("✅ <b>Profil enregistré.</b>")
        assert "Vous pouvez maintenant poser vos questions" in result
    finally:
        await profiles.close()


@pytest.mark.parametrize(("typed", "years"), [
    ("3 ans", 3.0), ("2,5 años", 2.5), ("18 mois", 1.5), ("6 meses", 0.5), ("aucune", 0.0),
    ("ninguna", 0.0), ("environ 4 ans", 4.0), ("2 años de experiencia", 2.0),
    ("3 Jahre", 3.0), ("18 Monate", 1.5), ("keine", 0.0), ("etwa 4 Jahre", 4.0),
    ("2 Jahre Berufserfahrung", 2.0),
])
def test_wizard_reads_french_spanish_and_german_years(typed: str, years: float) -> None:
    from bot.routers.eligibility import parse_years

    assert parse_years(typed) == years


async def test_errors_are_reported_in_the_users_language(services: FakeServices,
                                                         bot: MockedBot) -> None:
    def boom(question: str) -> Any:
        raise RuntimeError("boom")

    services.answers.respond = boom
    dp = dispatcher(services)
    await dp.feed_update(bot, with_language(message_update("Where?"), "es"))
    assert bot.of_type(SendMessage)[-1].text == "Algo salió mal; inténtelo de nuevo."


async def test_command_menu_is_published_in_each_language(tmp_path: Path) -> None:
    bot = MockedBot()
    settings = make_settings(data_dir=tmp_path)
    await set_commands(bot, settings, create_i18n(tmp_path))
    menus = {(r.language_code, r.scope is not None): r for r in bot.of_type(SetMyCommands)}
    assert {code for code, _ in menus} == {None, "fr", "es", "de"}
    english = {c.command: c.description for c in menus[None, False].commands}
    french = {c.command: c.description for c in menus["fr", False].commands}
    spanish = {c.command: c.description for c in menus["es", False].commands}
    german = {c.command: c.description for c in menus["de", False].commands}
    assert english.keys() == french.keys() == spanish.keys() == german.keys()
    assert german["postings"] == "Die JPO-Ausschreibungen durchsehen"
    assert "language" in english
    assert english["postings"] == "Browse the JPO postings"
    assert french["postings"] == "Parcourir les offres JPO"
    assert spanish["language"] == "Elegir el idioma del bot"
    assert "reindex" in {c.command for c in menus["fr", True].commands}


# --------------------------------------------------------------------------- end to end


async def say_in_language(api: FakeBotAPI, text: str, *, user_id: int, first_name: str,
                          language_code: str, first_message_id: int) -> list[Request]:
    """`first_name` writes `text` in a private chat, their Telegram set to `language_code`;
    returns the bot's replies. Message ids count up from `first_message_id`."""
    mark = len(api.requests)
    message: dict[str, Any] = {
        "message_id": first_message_id + len(api.requests), "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": first_name},
        "from": {"id": user_id, "is_bot": False, "first_name": first_name,
                 "language_code": language_code},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0,
                                "length": len(text.split()[0])}]
    await api.push("message", message)
    return await api.replies(user_id, since=mark)


@pytest.mark.slow
@pytest.mark.asyncio(loop_scope="module")
async def test_french_user_end_to_end(telegram: Telegram) -> None:  # noqa: F811
    api = telegram.api
    user_id = 3003

    async def say(text: str) -> list[Any]:
        return await say_in_language(api, text, user_id=user_id, first_name="Camille",
                                     language_code="fr", first_message_id=900_000)

    start = await say("/start")
    welcome = start[-1]
    check_html(welcome["text"])
    assert welcome["text"].startswith("Bonjour, Camille ! Je réponds aux questions")
    labels = [b["text"] for row in welcome["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["📋 Parcourir les offres", "💬 Poser une question",
                      "✅ Vérifier mon éligibilité"]

    replies = await say("Qui supervise le poste NORMES ?")
    text = replies[-1]["text"]
    check_html(text)
    assert SOMETHING_WENT_WRONG not in text
    answer, _, sources = text.partition("\n\n<b>Sources</b>\n")
    assert "Lisa Tortell" in html_to_text(answer)
    assert sources, "the sources are listed under the French heading"
    rating = [b["text"] for row in replies[-1]["reply_markup"]["inline_keyboard"] for b in row]
    assert rating == ["👍", "👎"]


@pytest.mark.slow
@pytest.mark.asyncio(loop_scope="module")
async def test_german_user_end_to_end(telegram: Telegram) -> None:  # noqa: F811
    """A German conversation through the local Bot API server: German chrome from Telegram's
    language_code, German answers framing the postings' English facts, a follow-up, an
    eligibility verdict, an unanswerable question, and /language."""
    api = telegram.api
    user_id = 3004

    async def say(text: str) -> dict[str, Any]:
        reply = (await say_in_language(api, text, user_id=user_id, first_name="Lena",
                                       language_code="de-AT", first_message_id=910_000))[-1]
        check_html(reply["text"])
        assert SOMETHING_WENT_WRONG not in reply["text"]
        return reply

    def labels(reply: dict[str, Any]) -> list[str]:
        return [b["text"] for row in reply["reply_markup"]["inline_keyboard"] for b in row]

    welcome = await say("/start")
    assert welcome["text"].startswith("Hallo, Lena! Ich beantworte Fragen")
    assert labels(welcome) == ["📋 Ausschreibungen ansehen", "💬 Eine Frage stellen",
                               "✅ Eignung prüfen"]

    supervisor = await say("Wer ist der Vorgesetzte beim Sorgfaltspflicht-Posten?")
    answer, _, sources = supervisor["text"].partition("\n\n<b>Quellen</b>\n")
    assert "Githa Roelans" in html_to_text(answer) and "wird betreut von" in answer
    assert "Responsible Business/Due Diligence" in sources
    assert labels(supervisor) == ["👍", "👎"]

    follow_up = html_to_text((await say("und welche Sprachen muss ich dort sprechen?"))["text"])
    assert follow_up.startswith("Sprachen für „Responsible Business/Due Diligence“")
    assert "English, French, Spanish" in follow_up

    verdict = html_to_text((await say(
        "Ich habe einen Master in Jura, seit März 2021 arbeite ich im Arbeitsrecht, Englisch "
        "fließend. Kann ich mich auf den NORMES-Posten bewerben?"))["text"])
    assert "Sie erfüllen offenbar alle Mindestanforderungen (geeignet)" in verdict
    assert "Advanced university degree in Law" in verdict

    salary = html_to_text((await say("Wie viel verdient man bei der KI-Stelle?"))["text"])
    assert "nennt das Gehalt oder Zulagen nicht" in salary

    chosen = await say("/language")
    assert labels(chosen) == ["English", "Français", "Español", "Deutsch ✓"]
