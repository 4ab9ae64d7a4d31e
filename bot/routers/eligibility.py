"""/eligibility (a five-step wizard) and /profile (show, set from free text, delete).

(A little over 400 lines: the wizard's steps and /profile share one FSM state group and its
keyboards; each handler is a few lines.)

The wizard keeps its answers in the dispatcher's FSM storage (memory by default, Redis when
configured), so only JSON-friendly values go there. Steps that expect typed text are
registered before the QA router and ignore "/commands", so /help or /postings still work
mid-wizard. Buttons are filtered by state: a button from a finished or cancelled wizard falls
through to the fallback router's "expired" alert.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.eligibility_views import (
    CANCELLED,
    CONFIRM_PROMPT,
    DEGREE_PROMPT,
    DEGREES,
    DELETED,
    DOMAIN_INVALID,
    DOMAIN_PROMPT,
    FIELD_INVALID,
    FIELD_PROMPT,
    FIELD_PROMPT_STUDYING,
    LANGUAGES,
    LANGUAGES_NEEDED,
    LANGUAGES_PROMPT,
    NO_PROFILE,
    NO_PROFILE_FACTS,
    NOTHING_TO_DELETE,
    SAVED,
    UNDERSTOOD,
    USE_BUTTONS,
    WIZARD_START,
    YEARS_INVALID,
    YEARS_PROMPT,
    YOUR_PROFILE,
    YOUR_SAVED_PROFILE,
    ProfileMenu,
    WizardStep,
    confirm_keyboard,
    degree_keyboard,
    format_profile,
    format_ranked_result,
    languages_keyboard,
    nav_keyboard,
    profile_keyboard,
    step_prompt,
)
from bot.i18n import N_, _
from bot.keyboards import STALE_BUTTON, MenuAction
from bot.replies import reply, send_to_callback_chat, show
from retrieval.eligibility import parse_profile
from retrieval.models import Profile

if TYPE_CHECKING:
    from retrieval.eligibility import EligibilityChecker
    from state.profiles import ProfileStore

MAX_YEARS = 50
MAX_TEXT = 120
SAVED_ALERT = N_("Saved")


class Wizard(StatesGroup):
    degree = State()
    field = State()
    years = State()
    domain = State()
    languages = State()
    confirm = State()  # also used for the confirmation of a free-text /profile


ORDER: list[State] = [Wizard.degree, Wizard.field, Wizard.years, Wizard.domain,
                      Wizard.languages, Wizard.confirm]
_BUTTON_STEPS = (Wizard.degree, Wizard.languages, Wizard.confirm)
_typed = F.text & ~F.text.startswith("/")


def create_router() -> Router:
    # A fresh router per dispatcher: a Router can have only one parent, and tests build many.
    router = Router(name="eligibility")
    router.message.register(eligibility_command, Command("eligibility"))
    router.callback_query.register(eligibility_button, MenuAction.filter(F.action == "eligibility"))
    router.message.register(profile_command, Command("profile"))
    router.message.register(cancel_command, Command("cancel"), StateFilter(Wizard))
    # wizard steps
    router.callback_query.register(
        choose_degree, WizardStep.filter(F.action == "degree"), Wizard.degree)
    router.message.register(type_field, Wizard.field, _typed)
    router.message.register(type_years, Wizard.years, _typed)
    router.message.register(type_domain, Wizard.domain, _typed)
    router.callback_query.register(skip_domain, WizardStep.filter(F.action == "skip"),
                                   Wizard.domain)
    router.callback_query.register(toggle_language, WizardStep.filter(F.action == "lang"),
                                   Wizard.languages)
    router.callback_query.register(languages_done, WizardStep.filter(F.action == "done"),
                                   Wizard.languages)
    router.callback_query.register(confirm, WizardStep.filter(F.action == "confirm"),
                                   Wizard.confirm)
    router.callback_query.register(edit, WizardStep.filter(F.action == "edit"), Wizard.confirm)
    router.callback_query.register(back, WizardStep.filter(F.action == "back"), StateFilter(Wizard))
    router.callback_query.register(cancel, WizardStep.filter(F.action == "cancel"),
                                   StateFilter(Wizard))
    router.message.register(buttons_expected, StateFilter(*_BUTTON_STEPS), _typed)
    # /profile buttons
    router.callback_query.register(profile_edit, ProfileMenu.filter(F.action == "edit"))
    router.callback_query.register(profile_delete, ProfileMenu.filter(F.action == "delete"))
    router.callback_query.register(profile_check, ProfileMenu.filter(F.action == "check"))
    # Close the SQLite connection with the dispatcher (it reopens if used again).
    router.shutdown.register(close_profiles)
    return router


async def close_profiles(profiles: ProfileStore | None = None) -> None:
    if profiles is not None:
        await profiles.close()


# --------------------------------------------------------------------------- parsing input


def _clean_text(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" .,;:!")
    # "in labour law" → "labour law": the wizard adds its own "in" (fr/es: "en", "dans")
    return re.sub(r"^(?:in|on|en|dans)\s+", "", text, flags=re.I).strip()


# English, and the French/Spanish a user of the translated wizard types ("3 ans", "18 meses").
_YEARS_RE = re.compile(
    r"^(?:about\s+|around\s+|approx\.?\s+|environ\s+|unos\s+|aproximadamente\s+|etwa\s+|"
    r"ungefähr\s+|ca\.?\s+)?"
    r"(\d{1,3}(?:[.,]\d+)?)\s*\+?\s*"
    r"(years?|yrs?|y|months?|mos?|ans?|années?|annees?|años?|anos?|mois|mes|meses|jahre?n?|"
    r"monate?n?)?"
    r"(?:\s+of\s+(?:relevant\s+)?(?:work\s+)?experience|\s+d'expérience|\s+de\s+experiencia|"
    r"\s+(?:berufs)?erfahrung)?$",
    re.I)
_NO_YEARS = re.compile(r"^(?:none|no|zero|nil|no experience|not yet|aucune?|non|zéro|"
                       r"pas encore|ninguna?|ninguno|cero|nada|todavía no|keine?|null|"
                       r"noch keine|keine erfahrung)$", re.I)
_MONTHS = ("mo", "mes")


def parse_years(text: str) -> float | None:
    """Years of experience from a short answer ("3", "2.5 years", "18 months", "none");
    None when it is not a number in 0..MAX_YEARS."""
    text = text.strip().rstrip(".")
    if _NO_YEARS.match(text):
        return 0.0
    m = _YEARS_RE.match(text)
    if not m:
        return None
    value = float(m.group(1).replace(",", "."))
    if m.group(2) and m.group(2).lower().startswith(_MONTHS):
        value = round(value / 12, 2)
    return value if 0 <= value <= MAX_YEARS else None


def build_profile(data: dict[str, Any]) -> Profile:
    degree = data.get("degree", "none")
    langs = data.get("languages", [])
    return Profile(
        degree_level=degree if degree in ("first", "advanced") else None,
        has_degree=degree in ("first", "advanced"),
        degree_field=data.get("field", ""),
        years_experience=data.get("years"),
        experience_domain=data.get("domain", ""),
        # the wizard asks which languages, not how well: "spoken" is the checker's "no level"
        languages={iso: "spoken" for iso in LANGUAGES if iso in langs},
    )


# --------------------------------------------------------------------------- steps


def step_view(step: State, data: dict[str, Any]) -> tuple[str, InlineKeyboardMarkup]:
    """Text and keyboard of a wizard step, from the answers gathered so far."""
    if step == Wizard.degree:
        return f"{_(WIZARD_START)}\n\n{step_prompt(1, DEGREE_PROMPT)}", degree_keyboard()
    if step == Wizard.field:
        prompt = FIELD_PROMPT_STUDYING if data.get("degree") == "none" else FIELD_PROMPT
        return step_prompt(2, prompt), nav_keyboard()
    if step == Wizard.years:
        return step_prompt(3, YEARS_PROMPT), nav_keyboard()
    if step == Wizard.domain:
        return step_prompt(4, DOMAIN_PROMPT), nav_keyboard(skip=True)
    if step == Wizard.languages:
        return step_prompt(5, LANGUAGES_PROMPT), languages_keyboard(data.get("languages", []))
    profile = Profile.model_validate(data.get("pending") or build_profile(data))
    wizard = data.get("source") == "wizard"
    title = YOUR_PROFILE if wizard else UNDERSTOOD
    return (f"{format_profile(profile, title=title)}\n\n{_(CONFIRM_PROMPT)}",
            confirm_keyboard(wizard=wizard))


async def _go(state: FSMContext, step: State) -> tuple[str, InlineKeyboardMarkup]:
    await state.set_state(step)
    if step == Wizard.confirm:
        data = await state.get_data()
        if data.get("source") != "text":
            await state.update_data(pending=build_profile(data).model_dump(mode="json"),
                                    source="wizard")
    return step_view(step, await state.get_data())


async def _start(state: FSMContext) -> tuple[str, InlineKeyboardMarkup]:
    await state.clear()
    return await _go(state, Wizard.degree)


async def eligibility_command(message: Message, state: FSMContext) -> None:
    text, markup = await _start(state)
    await reply(message, text, reply_markup=markup)


async def eligibility_button(callback: CallbackQuery, state: FSMContext) -> None:
    text, markup = await _start(state)
    await send_to_callback_chat(callback, text, reply_markup=markup)
    await callback.answer()


async def choose_degree(callback: CallbackQuery, callback_data: WizardStep,
                        state: FSMContext) -> None:
    if callback_data.value not in DEGREES:
        await callback.answer()
        return
    await state.update_data(degree=callback_data.value)
    await show(callback, *await _go(state, Wizard.field))
    await callback.answer()


async def type_field(message: Message, state: FSMContext) -> None:
    field = _clean_text(message.text or "")
    if not re.search(r"[^\W\d_]", field) or len(field) > MAX_TEXT:
        await reply(message, _(FIELD_INVALID), reply_markup=nav_keyboard())
        return
    # lower case, as parse_profile stores fields; matching ignores case anyway
    await state.update_data(field=field.lower())
    text, markup = await _go(state, Wizard.years)
    await reply(message, text, reply_markup=markup)


async def type_years(message: Message, state: FSMContext) -> None:
    years = parse_years(message.text or "")
    if years is None:
        await reply(message, _(YEARS_INVALID).format(max=MAX_YEARS), reply_markup=nav_keyboard())
        return
    await state.update_data(years=years)
    text, markup = await _go(state, Wizard.domain)
    await reply(message, text, reply_markup=markup)


async def type_domain(message: Message, state: FSMContext) -> None:
    domain = _clean_text(message.text or "")
    if domain.lower() in ("skip", "-", "none", "no", "passer", "aucun", "omitir", "ninguno"):
        domain = ""
    elif len(domain) > MAX_TEXT:
        await reply(message, _(DOMAIN_INVALID).format(max=MAX_TEXT),
                    reply_markup=nav_keyboard(skip=True))
        return
    await state.update_data(domain=domain.lower())
    text, markup = await _go(state, Wizard.languages)
    await reply(message, text, reply_markup=markup)


async def skip_domain(callback: CallbackQuery, state: FSMContext) -> None:
    await state.update_data(domain="")
    await show(callback, *await _go(state, Wizard.languages))
    await callback.answer()


async def toggle_language(callback: CallbackQuery, callback_data: WizardStep,
                          state: FSMContext) -> None:
    if callback_data.value in LANGUAGES:
        chosen = list((await state.get_data()).get("languages", []))
        if callback_data.value in chosen:
            chosen.remove(callback_data.value)
        else:
            chosen.append(callback_data.value)
        await state.update_data(languages=chosen)
    await show(callback, *step_view(Wizard.languages, await state.get_data()))
    await callback.answer()


async def languages_done(callback: CallbackQuery, state: FSMContext) -> None:
    if not (await state.get_data()).get("languages"):
        await callback.answer(_(LANGUAGES_NEEDED), show_alert=True)
        return
    await show(callback, *await _go(state, Wizard.confirm))
    await callback.answer()


async def back(callback: CallbackQuery, state: FSMContext) -> None:
    current = await state.get_state()
    data = await state.get_data()
    index = next((i for i, s in enumerate(ORDER) if s.state == current), 0)
    if index == 0 or data.get("source") == "text":
        # nothing before step 1, and a free-text profile has no steps to go back to
        await callback.answer()
        return
    await show(callback, *await _go(state, ORDER[index - 1]))
    await callback.answer()


async def cancel(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await show(callback, _(CANCELLED))
    await callback.answer()


async def cancel_command(message: Message, state: FSMContext) -> None:
    await state.clear()
    await reply(message, _(CANCELLED))


async def buttons_expected(message: Message, state: FSMContext) -> None:
    current = await state.get_state()
    step = next(s for s in ORDER if s.state == current)
    text, markup = step_view(step, await state.get_data())
    await reply(message, f"{_(USE_BUTTONS)}\n\n{text}", reply_markup=markup)


async def edit(callback: CallbackQuery, state: FSMContext) -> None:
    await show(callback, *await _start(state))
    await callback.answer()


async def confirm(callback: CallbackQuery, state: FSMContext, profiles: ProfileStore,
                  eligibility: EligibilityChecker) -> None:
    pending = (await state.get_data()).get("pending")
    if pending is None:  # state without its data (e.g. storage flushed): start afresh
        await state.clear()
        await callback.answer(_(STALE_BUTTON), show_alert=True)
        return
    profile = Profile.model_validate(pending)
    await profiles.save(callback.from_user.id, profile)
    await state.clear()
    await show(callback, f"{_(SAVED)}\n{format_profile(profile)}\n\n"
                         f"{await _ranked(eligibility, profile)}")
    await callback.answer(_(SAVED_ALERT))


async def _ranked(eligibility: EligibilityChecker, profile: Profile) -> str:
    # Checking is synchronous (regexes over every posting); keep the event loop free.
    ranked = await asyncio.to_thread(eligibility.rank, profile)
    return format_ranked_result(ranked, profile)


# --------------------------------------------------------------------------- /profile


async def profile_command(message: Message, command: CommandObject, state: FSMContext,
                          profiles: ProfileStore) -> None:
    args = (command.args or "").strip()
    user = message.from_user
    if user is None:  # channel posts and anonymous admins have no user to keep a profile for
        return
    if not args or args.lower() in ("show", "view"):
        record = await profiles.get_record(user.id)
        if record is None:
            await reply(message, _(NO_PROFILE))
            return
        await reply(message, format_profile(record.profile, title=YOUR_SAVED_PROFILE,
                                            updated_at=record.updated_at),
                    reply_markup=profile_keyboard())
        return
    if args.lower() in ("delete", "remove", "forget", "clear"):
        await reply(message,
                    _(DELETED if await profiles.delete(user.id) else NOTHING_TO_DELETE))
        return
    text = re.sub(r"^(?:set|update)\b[\s:]*", "", args, flags=re.I)
    profile = parse_profile(text)
    if not profile.has_facts():
        await reply(message, _(NO_PROFILE_FACTS))
        return
    await state.clear()
    await state.set_state(Wizard.confirm)
    await state.update_data(pending=profile.model_dump(mode="json"), source="text")
    text, markup = step_view(Wizard.confirm, await state.get_data())
    await reply(message, text, reply_markup=markup)


async def profile_edit(callback: CallbackQuery, state: FSMContext) -> None:
    text, markup = await _start(state)
    await send_to_callback_chat(callback, text, reply_markup=markup)
    await callback.answer()


async def profile_delete(callback: CallbackQuery, profiles: ProfileStore) -> None:
    deleted = await profiles.delete(callback.from_user.id)
    await show(callback, _(DELETED if deleted else NOTHING_TO_DELETE))
    await callback.answer()


async def profile_check(callback: CallbackQuery, profiles: ProfileStore,
                        eligibility: EligibilityChecker) -> None:
    profile = await profiles.get(callback.from_user.id)
    text = _(NO_PROFILE) if profile is None else await _ranked(eligibility, profile)
    await send_to_callback_chat(callback, text)
    await callback.answer()
