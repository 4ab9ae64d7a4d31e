"""Texts and keyboards of the eligibility wizard and /profile (Telegram HTML, all escaped).

Verdict wording is not written here: the ranked list is the eligibility checker's own
rendering (the same text a free-text "which postings fit me?" gets), only escaped and framed.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.formatting import esc, format_timestamp
from retrieval.eligibility import EligibilityChecker, _lex

if TYPE_CHECKING:
    from retrieval.models import Posting, Profile, Verdict

STEPS = 5
# callback value → button label; the order is the order of the buttons
DEGREES: dict[str, str] = {
    "first": "First university degree",
    "advanced": "Advanced degree or Master's",
    "none": "No degree yet",
}
LANGUAGES: dict[str, str] = {"en": "English", "fr": "French", "es": "Spanish"}
_LANGUAGE_NAMES = {**LANGUAGES, "ar": "Arabic", "zh": "Chinese", "ru": "Russian",
                   "pt": "Portuguese", "de": "German", "it": "Italian"}
_LEVELS = {"native": "native", "fluent": "fluent", "good": "good", "basic": "basic",
           "none": "does not speak"}

WIZARD_START = (
    "<b>Check your eligibility</b>\n"
    "Answer five short questions; I will compare your profile with each posting's minimum "
    "requirements. You can go back or cancel at any step."
)
DEGREE_PROMPT = f"<b>Step 1 of {STEPS}</b> — What is your highest university degree?"
FIELD_PROMPT = (
    f"<b>Step 2 of {STEPS}</b> — In which field is your degree? "
    "Type it, e.g. <i>labour law</i> or <i>economics</i>."
)
FIELD_PROMPT_STUDYING = (
    f"<b>Step 2 of {STEPS}</b> — What are you studying? "
    "Type your field, e.g. <i>labour law</i> or <i>economics</i>."
)
FIELD_INVALID = "Please type the field of your degree in a few words, e.g. <i>labour law</i>."
YEARS_PROMPT = (
    f"<b>Step 3 of {STEPS}</b> — How many years of relevant work experience do you have? "
    "Type a number, e.g. <i>2</i> or <i>3.5</i> (<i>0</i> if none)."
)
YEARS_INVALID = (
    "Sorry, I need a number of years between 0 and {max}, e.g. <i>2</i> or <i>3.5</i>. "
    "How many years of relevant work experience do you have?"
)
DOMAIN_PROMPT = (
    f"<b>Step 4 of {STEPS}</b> — In which area is that experience? "
    "Type it, e.g. <i>labour rights at a ministry</i>, or tap Skip."
)
DOMAIN_INVALID = "Please describe the area in a few words (at most {max} characters), or tap Skip."
LANGUAGES_PROMPT = (
    f"<b>Step 5 of {STEPS}</b> — Which of these languages do you speak? "
    "Tap to select, then Done."
)
LANGUAGES_NEEDED = "Select at least one language first."
USE_BUTTONS = "Please use the buttons above, or send /cancel to stop."
CONFIRM_PROMPT = "Is this right? Confirm to save it and see which postings fit."
CANCELLED = "Cancelled. Your saved profile, if any, is unchanged."
SAVED = "✅ <b>Profile saved.</b>"
NO_PROFILE = (
    "You have no saved profile yet. Send /eligibility for a short questionnaire, or "
    "describe yourself in one message:\n"
    "<i>/profile I have a master's in law, 3 years at a ministry, fluent French and good "
    "English</i>"
)
NO_PROFILE_FACTS = (
    "I could not find a degree, experience or languages in that. Try for example:\n"
    "<i>/profile I have a master's in law, 3 years at a ministry, fluent French and good "
    "English</i>\nor send /eligibility for a short questionnaire."
)
DELETED = "🗑 Your saved profile has been deleted."
NOTHING_TO_DELETE = "You have no saved profile, so there was nothing to delete."
NO_POSTINGS = "No postings are indexed yet, so there is nothing to compare your profile with."
NO_DEGREE_NOTE = (
    "Note: the postings ask for a completed university degree, and you said you have none "
    "yet."
)
HOW_TO_ASK = (
    "You can now ask in plain words, e.g. <i>Am I eligible for the NORMES post?</i> — "
    "I will use your saved profile. /profile shows or deletes it."
)


class WizardStep(CallbackData, prefix="elw"):
    """Buttons of the wizard and of the confirmation under a free-text profile."""

    action: str  # degree | lang | done | skip | back | cancel | confirm | edit
    value: str = ""


class ProfileMenu(CallbackData, prefix="prof"):
    """Buttons under a shown saved profile."""

    action: str  # edit | delete | check


# --------------------------------------------------------------------------- keyboards


def _nav_row(back: bool = True) -> list[InlineKeyboardButton]:
    row = [InlineKeyboardButton(text="✖ Cancel", callback_data=WizardStep(action="cancel").pack())]
    if back:
        row.insert(0, InlineKeyboardButton(text="⬅ Back",
                                           callback_data=WizardStep(action="back").pack()))
    return row


def degree_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for value, label in DEGREES.items():
        builder.row(InlineKeyboardButton(
            text=label, callback_data=WizardStep(action="degree", value=value).pack()))
    builder.row(*_nav_row(back=False))  # nothing before the first step
    return builder.as_markup()


def nav_keyboard(*, skip: bool = False) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if skip:
        builder.row(InlineKeyboardButton(text="Skip ⏭",
                                         callback_data=WizardStep(action="skip").pack()))
    builder.row(*_nav_row())
    return builder.as_markup()


def languages_keyboard(selected: list[str]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(*[
        InlineKeyboardButton(text=f"{'✅' if iso in selected else '▫️'} {name}",
                             callback_data=WizardStep(action="lang", value=iso).pack())
        for iso, name in LANGUAGES.items()
    ])
    builder.row(InlineKeyboardButton(text="Done ✔", callback_data=WizardStep(action="done").pack()))
    builder.row(*_nav_row())
    return builder.as_markup()


def confirm_keyboard(*, wizard: bool) -> InlineKeyboardMarkup:
    """Confirm / Edit / Cancel (+ Back) after the wizard; Confirm / Cancel after free text."""
    builder = InlineKeyboardBuilder()
    buttons = [InlineKeyboardButton(text="✅ Confirm",
                                    callback_data=WizardStep(action="confirm").pack())]
    if wizard:
        buttons.append(InlineKeyboardButton(text="✏️ Edit",
                                            callback_data=WizardStep(action="edit").pack()))
    builder.row(*buttons)
    builder.row(*_nav_row(back=wizard))
    return builder.as_markup()


def profile_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text="✏️ Edit", callback_data=ProfileMenu(action="edit"))
    builder.button(text="🗑 Delete", callback_data=ProfileMenu(action="delete"))
    builder.button(text="🔎 Check postings", callback_data=ProfileMenu(action="check"))
    builder.adjust(2, 1)
    return builder.as_markup()


# --------------------------------------------------------------------------- texts


def _number(value: float) -> str:
    return f"{value:g}"


def _degree_line(profile: Profile) -> str:
    if profile.has_degree or profile.degree_level:
        level = {"advanced": "Advanced degree (Master's or equivalent)",
                 "first": "First university degree"}.get(profile.degree_level or "",
                                                         "University degree (level not stated)")
        field = f" in {esc(profile.degree_field)}" if profile.degree_field else ""
        focus = f", focus on {esc(profile.degree_focus)}" if profile.degree_focus else ""
        return f"{level}{field}{focus}"
    if profile.degree_field:
        return f"No degree yet (studying {esc(profile.degree_field)})"
    return "<i>not stated</i>"


def _experience_line(profile: Profile) -> str:
    years = profile.years_experience
    if years is None:
        text = "<i>years not stated</i>"
    else:
        text = f"{_number(years)} year{'' if years == 1 else 's'}"
    if profile.experience_domain:
        text += f" in {esc(profile.experience_domain)}"
    elif years is not None:
        text += " (area not stated)"
    return text


def _languages_line(profile: Profile) -> str:
    if not profile.languages:
        return "<i>not stated</i>"
    parts = []
    for iso, level in profile.languages.items():
        name = esc(_LANGUAGE_NAMES.get(iso, iso))
        shown = _LEVELS.get(level)
        parts.append(f"{name} ({shown})" if shown else name)
    return ", ".join(parts)


def format_profile(profile: Profile, *, title: str = "Your profile",
                   updated_at: datetime | None = None) -> str:
    lines = [
        f"<b>{esc(title)}</b>",
        f"🎓 <b>Degree:</b> {_degree_line(profile)}",
        f"💼 <b>Experience:</b> {_experience_line(profile)}",
        f"🗣 <b>Languages:</b> {_languages_line(profile)}",
    ]
    if profile.skills:
        lines.append(f"🛠 <b>Skills:</b> {esc(', '.join(profile.skills))}")
    if profile.age is not None:
        lines.append(f"<b>Age:</b> {profile.age}")
    if profile.nationality:
        lines.append(f"<b>Nationality:</b> {esc(profile.nationality)}")
    if updated_at is not None:
        lines.append(f"<i>Saved {esc(format_timestamp(updated_at))}</i>")
    return "\n".join(lines)


def format_ranking(ranked: list[tuple[Posting, Verdict]], profile: Profile) -> str:
    """The checker's ranked list (best fit first, one line of reasons each), escaped."""
    if not ranked:
        return NO_POSTINGS
    # The checker's own multi-posting rendering, so the wizard and free-text questions agree.
    text = EligibilityChecker._multi(ranked, _lex("en"))
    head, *rest = text.split("\n")
    lines = [f"<b>{esc(head)}</b>", *(esc(line) for line in rest)]
    if not profile.has_degree and profile.degree_field:  # chose "No degree yet"
        lines.insert(1, f"<i>{NO_DEGREE_NOTE}</i>")
    return "\n".join(lines)


def format_ranked_result(ranked: list[tuple[Posting, Verdict]], profile: Profile) -> str:
    return "\n\n".join([format_ranking(ranked, profile), HOW_TO_ASK])
