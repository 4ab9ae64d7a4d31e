"""The /eligibility wizard and /profile: through the real dispatcher with a recording bot
(fake catalog, real EligibilityChecker, real SQLite ProfileStore), plus one end-to-end run
against the fake Bot API server with the real services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram.filters.callback_data import CallbackData
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage, TelegramMethod
from aiogram.types import InlineKeyboardMarkup

from bot.app import SOMETHING_WENT_WRONG, create_dispatcher
from bot.eligibility_views import (
    CANCELLED,
    DELETED,
    LANGUAGES_NEEDED,
    NO_DEGREE_NOTE,
    NO_PROFILE,
    NO_PROFILE_FACTS,
    NOTHING_TO_DELETE,
    USE_BUTTONS,
    ProfileMenu,
    WizardStep,
)
from bot.keyboards import STALE_BUTTON, MenuAction
from bot.routers.eligibility import Wizard, parse_years
from retrieval.eligibility import EligibilityChecker, parse_profile
from retrieval.models import Profile
from state.profiles import ProfileStore

# The e2e harness and its session services, reused as they are (see the last test).
from tests.bot.test_bot_e2e import Telegram, real_services, telegram  # noqa: F401
from tests.servers import table_rows
from tests.support.fakes import USER_ID, FakeServices, callback_update, message_update
from tests.support.mocked_bot import MockedBot
from tests.support.telegram_html import check_html, html_to_text

FREE_TEXT = "I have a master's in law, 3 years at a ministry, fluent French and good English"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[ProfileStore]:
    s = ProfileStore(tmp_path / "state.sqlite3")
    yield s
    await s.close()


@pytest.fixture
def wdp(services: FakeServices, store: ProfileStore) -> Dispatcher:
    dp = create_dispatcher(services)  # type: ignore[arg-type]
    # FakeServices has neither; the real Services provides both under these names.
    dp.workflow_data.update(profiles=store, eligibility=EligibilityChecker(services.catalog))
    return dp


@dataclass
class Screen:
    """What one update made the bot do."""

    requests: list[TelegramMethod[Any]]
    answers: list[AnswerCallbackQuery] = field(default_factory=list)

    @property
    def shown(self) -> SendMessage | EditMessageText:
        """The last message sent or edited."""
        return [r for r in self.requests if isinstance(r, SendMessage | EditMessageText)][-1]

    @property
    def text(self) -> str:
        return self.shown.text

    @property
    def plain(self) -> str:
        return html_to_text(self.text)

    @property
    def buttons(self) -> list[str]:
        markup = self.shown.reply_markup
        if markup is None:
            return []
        assert isinstance(markup, InlineKeyboardMarkup)
        return [b.text for row in markup.inline_keyboard for b in row]


class Chat:
    def __init__(self, dp: Dispatcher, bot: MockedBot, user_id: int = USER_ID) -> None:
        self.dp, self.bot, self.user_id = dp, bot, user_id

    async def _feed(self, update: Any) -> Screen:
        mark = len(self.bot.requests)
        await self.dp.feed_update(self.bot, update)
        new = self.bot.requests[mark:]
        for r in new:
            if isinstance(r, SendMessage | EditMessageText):
                check_html(r.text)
                assert SOMETHING_WENT_WRONG not in r.text
        return Screen(new, [r for r in new if isinstance(r, AnswerCallbackQuery)])

    async def send(self, text: str) -> Screen:
        return await self._feed(message_update(text, user_id=self.user_id))

    async def press(self, data: CallbackData | str) -> Screen:
        packed = data if isinstance(data, str) else data.pack()
        screen = await self._feed(callback_update(packed, user_id=self.user_id))
        assert len(screen.answers) == 1, "every button press is answered exactly once"
        return screen

    async def state(self) -> str | None:
        ctx = self.dp.fsm.get_context(self.bot, chat_id=self.user_id, user_id=self.user_id)
        return await ctx.get_state()


@pytest.fixture
def chat(wdp: Dispatcher, bot: MockedBot) -> Chat:
    return Chat(wdp, bot)


def step(action: str, value: str = "") -> WizardStep:
    return WizardStep(action=action, value=value)


async def to_languages(chat: Chat, degree: str = "advanced") -> Screen:
    await chat.send("/eligibility")
    await chat.press(step("degree", degree))
    await chat.send("Labour law")
    await chat.send("2")
    return await chat.press(step("skip"))


# --------------------------------------------------------------------------- the wizard


async def test_wizard_all_steps_confirm_saves_and_ranks(chat: Chat, store: ProfileStore) -> None:
    s = await chat.send("/eligibility")
    assert "Step 1 of 5" in s.text
    assert s.buttons == ["First university degree", "Advanced degree or Master's",
                         "No degree yet", "✖ Cancel"]
    assert await chat.state() == Wizard.degree.state

    s = await chat.press(step("degree", "advanced"))
    assert isinstance(s.shown, EditMessageText)  # the question is replaced in place
    assert "Step 2 of 5" in s.text and s.buttons == ["⬅ Back", "✖ Cancel"]

    s = await chat.send("in Labour law.")
    assert "Step 3 of 5" in s.text
    s = await chat.send("2 years")
    assert "Step 4 of 5" in s.text and s.buttons == ["Skip ⏭", "⬅ Back", "✖ Cancel"]
    s = await chat.send("labour rights at a ministry")
    assert "Step 5 of 5" in s.text
    assert s.buttons == ["▫️ English", "▫️ French", "▫️ Spanish", "Done ✔", "⬅ Back",
                         "✖ Cancel"]

    s = await chat.press(step("lang", "en"))
    assert s.buttons[:3] == ["✅ English", "▫️ French", "▫️ Spanish"]
    s = await chat.press(step("lang", "fr"))
    assert s.buttons[:3] == ["✅ English", "✅ French", "▫️ Spanish"]
    s = await chat.press(step("lang", "fr"))  # toggled off again
    assert s.buttons[:3] == ["✅ English", "▫️ French", "▫️ Spanish"]

    s = await chat.press(step("done"))
    assert await chat.state() == Wizard.confirm.state
    assert "Advanced degree (Master's or equivalent) in labour law" in s.plain
    assert "2 years in labour rights at a ministry" in s.plain
    assert "Languages: English" in s.plain and "French" not in s.plain
    assert s.buttons == ["✅ Confirm", "✏️ Edit", "⬅ Back", "✖ Cancel"]
    assert await store.get(USER_ID) is None  # nothing saved before confirming

    s = await chat.press(step("confirm"))
    expected = Profile(degree_level="advanced", has_degree=True, degree_field="labour law",
                       years_experience=2, experience_domain="labour rights at a ministry",
                       languages={"en": "spoken"})
    assert await store.get(USER_ID) == expected
    assert await chat.state() is None
    assert "Profile saved" in s.plain
    lines = s.plain.splitlines()
    ranked = [line for line in lines if line.startswith("• ")]
    assert len(ranked) == 3  # one line per posting, best fit first
    assert ranked[0].startswith("• ✅") and ranked[-1].startswith("• ❌ innovation and AI")
    assert "the degree must be in economics; yours is in labour law" in ranked[-1]
    assert s.buttons == []


async def test_invalid_years_are_asked_again(chat: Chat) -> None:
    await chat.send("/eligibility")
    await chat.press(step("degree", "first"))
    await chat.send("economics")
    for bad in ("abc", "-3", "200", "3 apples", ""):
        if not bad:
            continue
        s = await chat.send(bad)
        assert "need a number of years between 0 and 50" in s.text, bad
        assert s.buttons == ["⬅ Back", "✖ Cancel"]
        assert await chat.state() == Wizard.years.state
    s = await chat.send("3,5")
    assert "Step 4 of 5" in s.text


@pytest.mark.parametrize(("text", "years"), [
    ("3", 3.0), ("2.5", 2.5), ("3,5", 3.5), ("4 years", 4.0), ("1 year", 1.0),
    ("18 months", 1.5), ("none", 0.0), ("0", 0.0), ("about 5 years of experience", 5.0),
    ("50", 50.0), ("abc", None), ("-3", None), ("200", None), ("51", None), ("3-4", None),
])
def test_parse_years(text: str, years: float | None) -> None:
    assert parse_years(text) == years


async def test_empty_field_is_asked_again(chat: Chat) -> None:
    await chat.send("/eligibility")
    await chat.press(step("degree", "advanced"))
    s = await chat.send("123")
    assert "field of your degree" in s.text
    assert await chat.state() == Wizard.field.state


async def test_back_walks_to_the_first_step_keeping_answers(chat: Chat) -> None:
    await to_languages(chat)
    await chat.press(step("lang", "es"))
    await chat.press(step("done"))
    expected = [("Step 5 of 5", Wizard.languages), ("Step 4 of 5", Wizard.domain),
                ("Step 3 of 5", Wizard.years), ("Step 2 of 5", Wizard.field),
                ("Step 1 of 5", Wizard.degree)]
    for prompt, state in expected:
        s = await chat.press(step("back"))
        assert prompt in s.text and await chat.state() == state.state
        if state == Wizard.languages:
            assert "✅ Spanish" in s.buttons  # the selection survived
    s = await chat.press(step("back"))  # nothing before step 1: the press is just answered
    assert not [r for r in s.requests if isinstance(r, EditMessageText | SendMessage)]
    # going forward again replaces earlier answers
    await chat.press(step("degree", "first"))
    await chat.send("sociology")
    await chat.send("1")
    await chat.press(step("skip"))
    s = await chat.press(step("done"))
    assert "First university degree in sociology" in s.plain
    assert "1 year (area not stated)" in s.plain and "Spanish" in s.plain


@pytest.mark.parametrize("steps", [0, 1, 2, 3, 4, 5])
async def test_cancel_at_every_step(chat: Chat, store: ProfileStore, steps: int) -> None:
    actions = [
        lambda: chat.send("/eligibility"),
        lambda: chat.press(step("degree", "advanced")),
        lambda: chat.send("law"),
        lambda: chat.send("2"),
        lambda: chat.press(step("skip")),
        lambda: chat.press(step("lang", "en")),
    ]
    for action in actions[:steps + 1]:
        await action()
    if steps == 5:
        await chat.press(step("done"))
    s = await chat.press(step("cancel"))
    assert s.text == CANCELLED and s.buttons == []
    assert await chat.state() is None
    assert await store.get(USER_ID) is None
    # the wizard's old buttons have expired
    s = await chat.press(step("degree", "advanced"))
    assert s.answers[0].text == STALE_BUTTON


async def test_cancel_command_mid_wizard(chat: Chat) -> None:
    await chat.send("/eligibility")
    await chat.press(step("degree", "advanced"))
    s = await chat.send("/cancel")
    assert s.text == CANCELLED and await chat.state() is None
    s = await chat.send("/cancel")  # outside the wizard it is just an unknown command
    assert "don't know the command /cancel" in s.text


async def test_done_needs_a_language(chat: Chat) -> None:
    await to_languages(chat)
    s = await chat.press(step("done"))
    assert s.answers[0].text == LANGUAGES_NEEDED and s.answers[0].show_alert
    assert await chat.state() == Wizard.languages.state


async def test_typing_at_a_button_step_repeats_the_question(chat: Chat) -> None:
    await chat.send("/eligibility")
    s = await chat.send("a master's")
    assert s.text.startswith(USE_BUTTONS) and "Step 1 of 5" in s.text
    assert "Advanced degree or Master's" in s.buttons
    assert await chat.state() == Wizard.degree.state


async def test_commands_still_work_mid_wizard(chat: Chat) -> None:
    await chat.send("/eligibility")
    await chat.press(step("degree", "advanced"))
    s = await chat.send("/help")
    assert "How to use me" in s.text
    assert await chat.state() == Wizard.field.state  # and the wizard goes on
    s = await chat.send("law")
    assert "Step 3 of 5" in s.text


async def test_no_degree_yet(chat: Chat, store: ProfileStore) -> None:
    await chat.send("/eligibility")
    s = await chat.press(step("degree", "none"))
    assert "What are you studying?" in s.text
    await chat.send("law")
    await chat.send("0")
    await chat.press(step("skip"))
    await chat.press(step("lang", "en"))
    s = await chat.press(step("done"))
    assert "No degree yet (studying law)" in s.plain
    s = await chat.press(step("confirm"))
    saved = await store.get(USER_ID)
    assert saved is not None and not saved.has_degree and saved.degree_level is None
    assert NO_DEGREE_NOTE in s.plain


async def test_edit_at_the_summary_restarts(chat: Chat) -> None:
    await to_languages(chat)
    await chat.press(step("lang", "en"))
    await chat.press(step("done"))
    s = await chat.press(step("edit"))
    assert "Step 1 of 5" in s.text and await chat.state() == Wizard.degree.state


async def test_menu_button_starts_the_wizard(chat: Chat) -> None:
    s = await chat.press(MenuAction(action="eligibility"))
    assert "Step 1 of 5" in s.text and isinstance(s.shown, SendMessage)


async def test_user_text_is_escaped(chat: Chat) -> None:
    await chat.send("/eligibility")
    await chat.press(step("degree", "advanced"))
    await chat.send("<b>law</b> & co")
    await chat.send("2")
    await chat.send("<i>unions</i>")
    await chat.press(step("lang", "en"))
    s = await chat.press(step("done"))  # Chat checks every text is valid Telegram HTML
    assert "&lt;b&gt;law&lt;/b&gt; &amp; co" in s.text
    assert "&lt;i&gt;unions&lt;/i&gt;" in s.text


async def test_wizards_of_two_users_do_not_mix(wdp: Dispatcher, bot: MockedBot,
                                               store: ProfileStore) -> None:
    alice, bob = Chat(wdp, bot, 501), Chat(wdp, bot, 502)
    await alice.send("/eligibility")
    await bob.send("/eligibility")
    await alice.press(step("degree", "advanced"))
    await bob.press(step("degree", "first"))
    await alice.send("law")
    await bob.send("economics")
    assert await alice.state() == Wizard.years.state == await bob.state()
    for who in (alice, bob):
        await who.send("2")
        await who.press(step("skip"))
        await who.press(step("lang", "en"))
        await who.press(step("done"))
        await who.press(step("confirm"))
    a, b = await store.get(501), await store.get(502)
    assert a is not None and (a.degree_level, a.degree_field) == ("advanced", "law")
    assert b is not None and (b.degree_level, b.degree_field) == ("first", "economics")


async def test_confirm_without_pending_data_is_refused(chat: Chat, store: ProfileStore) -> None:
    # e.g. the FSM storage lost the data but kept the state
    ctx = chat.dp.fsm.get_context(chat.bot, chat_id=USER_ID, user_id=USER_ID)
    await ctx.set_state(Wizard.confirm)
    s = await chat.press(step("confirm"))
    assert s.answers[0].text == STALE_BUTTON and s.answers[0].show_alert
    assert await chat.state() is None and await store.get(USER_ID) is None


# --------------------------------------------------------------------------- /profile


async def test_free_text_profile_confirm_saves(chat: Chat, store: ProfileStore) -> None:
    s = await chat.send(f"/profile {FREE_TEXT}")
    assert "This is what I understood" in s.plain
    assert "Advanced degree (Master's or equivalent) in law" in s.plain
    assert "3 years in a ministry" in s.plain
    assert "French (fluent), English (good)" in s.plain
    assert s.buttons == ["✅ Confirm", "✖ Cancel"]
    assert await store.get(USER_ID) is None
    s = await chat.press(step("back"))  # not offered, and harmless if forged
    assert await chat.state() == Wizard.confirm.state
    s = await chat.press(step("confirm"))
    assert await store.get(USER_ID) == parse_profile(FREE_TEXT)
    assert "Profile saved" in s.plain and "• " in s.plain


async def test_free_text_profile_with_set_and_cancel(chat: Chat, store: ProfileStore) -> None:
    s = await chat.send(f"/profile set {FREE_TEXT}")
    assert "French (fluent)" in s.plain
    s = await chat.press(step("cancel"))
    assert s.text == CANCELLED
    assert await store.get(USER_ID) is None


async def test_free_text_without_facts(chat: Chat) -> None:
    s = await chat.send("/profile hello there")
    assert s.text == NO_PROFILE_FACTS
    assert await chat.state() is None


async def test_show_edit_check_and_delete(chat: Chat, store: ProfileStore) -> None:
    s = await chat.send("/profile")
    assert s.text == NO_PROFILE
    await store.save(USER_ID, parse_profile(FREE_TEXT))

    s = await chat.send("/profile")
    assert "Your saved profile" in s.plain and "French (fluent)" in s.plain
    assert "Saved " in s.plain and "UTC" in s.plain
    assert s.buttons == ["✏️ Edit", "🗑 Delete", "🔎 Check postings"]

    s = await chat.press(ProfileMenu(action="check"))
    assert "How your profile fits the postings" in s.plain
    assert len([line for line in s.plain.splitlines() if line.startswith("• ")]) == 3

    s = await chat.press(ProfileMenu(action="edit"))
    assert "Step 1 of 5" in s.text and await chat.state() == Wizard.degree.state
    await chat.press(step("cancel"))
    assert await store.get(USER_ID) is not None  # cancelling an edit keeps the old profile

    s = await chat.press(ProfileMenu(action="delete"))
    assert s.text == DELETED
    assert await store.get(USER_ID) is None
    assert await table_rows(store, "SELECT COUNT(*) FROM profiles") == [(0,)]
    s = await chat.press(ProfileMenu(action="delete"))
    assert s.text == NOTHING_TO_DELETE
    s = await chat.press(ProfileMenu(action="check"))
    assert s.text == NO_PROFILE


async def test_profile_delete_command(chat: Chat, store: ProfileStore) -> None:
    await store.save(USER_ID, parse_profile(FREE_TEXT))
    await store.save(USER_ID + 1, parse_profile(FREE_TEXT))
    s = await chat.send("/profile delete")
    assert s.text == DELETED
    assert await store.get(USER_ID) is None
    assert await store.get(USER_ID + 1) is not None  # only the sender's row
    s = await chat.send("/profile delete")
    assert s.text == NOTHING_TO_DELETE


async def test_saved_profile_survives_a_restart(services: FakeServices, bot: MockedBot,
                                                tmp_path: Path) -> None:
    path = tmp_path / "restart.sqlite3"
    first = ProfileStore(path)
    dp = create_dispatcher(services)  # type: ignore[arg-type]
    dp.workflow_data.update(profiles=first, eligibility=EligibilityChecker(services.catalog))
    chat = Chat(dp, bot)
    await chat.send(f"/profile {FREE_TEXT}")
    await chat.press(step("confirm"))
    await dp.emit_shutdown(**dp.workflow_data)  # the router closes the store on shutdown
    assert first._engine_ is None and first._executor is None

    second = ProfileStore(path)  # a new process: new store, new dispatcher, empty FSM
    dp2 = create_dispatcher(services)  # type: ignore[arg-type]
    dp2.workflow_data.update(profiles=second, eligibility=EligibilityChecker(services.catalog))
    try:
        s = await Chat(dp2, bot).send("/profile")
        assert "Your saved profile" in s.plain and "French (fluent)" in s.plain
    finally:
        await second.close()


# --------------------------------------------------------------------------- end to end


@pytest.mark.slow
@pytest.mark.asyncio(loop_scope="module")
async def test_e2e_wizard_with_buttons(telegram: Telegram,  # noqa: F811
                                       real_services: Any) -> None:  # noqa: F811
    api, user = telegram.api, 40_001
    (first,) = await telegram.ask("/eligibility", user_id=user)
    assert "Step 1 of 5" in first["text"]
    msg = api.last_message(user)

    async def press(data: CallbackData) -> Any:
        return await telegram.press(api.message(user, msg["message_id"]), data.pack(), user)

    step2 = await press(step("degree", "advanced"))
    assert step2.method == "editMessageText" and "Step 2 of 5" in step2["text"]
    (step3,) = await telegram.ask("law", user_id=user)
    assert "Step 3 of 5" in step3["text"]
    (again,) = await telegram.ask("two hundred", user_id=user)
    assert "need a number of years" in again["text"]
    (step4,) = await telegram.ask("2", user_id=user)
    assert "Step 4 of 5" in step4["text"]
    msg = api.last_message(user)
    step5 = await press(step("skip"))
    assert "Step 5 of 5" in step5["text"]
    toggled = await press(step("lang", "en"))
    labels = [b["text"] for row in toggled["reply_markup"]["inline_keyboard"] for b in row]
    assert "✅ English" in labels
    summary = await press(step("done"))
    assert "Advanced degree (Master's or equivalent) in law" in html_to_text(summary["text"])
    result = await press(step("confirm"))

    check_html(result["text"])
    text = html_to_text(result["text"])
    assert "Profile saved" in text
    ranked = [line for line in text.splitlines() if line.startswith("• ")]
    assert len(ranked) == len(real_services.catalog)
    fit = next(line for line in ranked if "Standards Policy and Development" in line)
    assert fit.startswith("• ✅"), ranked
    saved = await real_services.profiles.get(user)
    assert saved == Profile(degree_level="advanced", has_degree=True, degree_field="law",
                            years_experience=2, languages={"en": "spoken"})
    # the saved profile is what /profile shows afterwards
    (shown,) = await telegram.ask("/profile", user_id=user)
    assert "Your saved profile" in html_to_text(shown["text"])
    await real_services.profiles.delete(user)


@pytest.mark.slow
def test_stored_profile_answers_plain_questions(real_services: Any) -> None:  # noqa: F811
    """What bot/routers/qa.py does with a saved profile (see with_stored_profile): the
    real answer service then checks the saved facts against the named posting only."""
    from state.profiles import with_stored_profile

    profile = parse_profile(FREE_TEXT)
    answers = real_services.answers
    normes = next(p for p in real_services.catalog.all()
                  if "Standards Policy and Development" in p.title)
    answer = answers.answer(with_stored_profile("Am I eligible for the NORMES post?", profile),
                            "profile-normes")
    assert answer.intent == "eligibility" and answer.posting_ids == [normes.id]
    assert "meet all minimum requirements" in answer.text and "you speak French" in answer.text
    answer = answers.answer(with_stored_profile("Which postings fit me?", profile),
                            "profile-all")
    assert answer.intent == "eligibility"
    # every posting is checked: those that may fit are listed and cited, the others counted
    listed = [line for line in answer.text.splitlines() if line.startswith("• ")]
    assert listed and len(answer.posting_ids) == len(listed)
    others = len(real_services.catalog) - len(listed)
    assert others == 0 or f"{others} other posting" in answer.text
