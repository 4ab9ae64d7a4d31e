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
from bot.i18n import N_, _, current_locale, ngettext
from retrieval.eligibility import lexicon_for, ranked_verdicts_text

if TYPE_CHECKING:
    from retrieval.models import Posting, Profile, Verdict

STEPS = 5
# Every text below is an English msgid (bot/i18n.py): shown through _() in the user's locale.
# callback value → button label; the order is the order of the buttons
DEGREES: dict[str, str] = {
    "first": N_("First university degree"),
    "advanced": N_("Advanced degree or Master's"),
    "none": N_("No degree yet"),
}
LANGUAGES: dict[str, str] = {"en": N_("English"), "fr": N_("French"), "es": N_("Spanish")}
_LANGUAGE_NAMES = {**LANGUAGES, "ar": N_("Arabic"), "zh": N_("Chinese"), "ru": N_("Russian"),
                   "pt": N_("Portuguese"), "de": N_("German"), "it": N_("Italian")}
_LEVELS = {"native": N_("native"), "fluent": N_("fluent"), "good": N_("good"),
           "basic": N_("basic"), "none": N_("does not speak")}

WIZARD_START = N_(
    "<b>Check your eligibility</b>\n"
    "Answer five short questions; I will compare your profile with each posting's minimum "
    "requirements. You can go back or cancel at any step."
)
STEP = N_("Step {step} of {steps}")
# The prompts of the steps, without their "Step n of 5" (see step_prompt).
DEGREE_PROMPT = N_("What is your highest university degree?")
FIELD_PROMPT = N_(
    "In which field is your degree? Type it, e.g. <i>labour law</i> or <i>economics</i>."
)
FIELD_PROMPT_STUDYING = N_(
    "What are you studying? Type your field, e.g. <i>labour law</i> or <i>economics</i>."
)
FIELD_INVALID = N_("Please type the field of your degree in a few words, e.g. <i>labour law</i>.")
YEARS_PROMPT = N_(
    "How many years of relevant work experience do you have? "
    "Type a number, e.g. <i>2</i> or <i>3.5</i> (<i>0</i> if none)."
)
YEARS_INVALID = N_(
    "Sorry, I need a number of years between 0 and {max}, e.g. <i>2</i> or <i>3.5</i>. "
    "How many years of relevant work experience do you have?"
)
DOMAIN_PROMPT = N_(
    "In which area is that experience? "
    "Type it, e.g. <i>labour rights at a ministry</i>, or tap Skip."
)
DOMAIN_INVALID = N_(
    "Please describe the area in a few words (at most {max} characters), or tap Skip.")
LANGUAGES_PROMPT = N_("Which of these languages do you speak? Tap to select, then Done.")
LANGUAGES_NEEDED = N_("Select at least one language first.")
USE_BUTTONS = N_("Please use the buttons above, or send /cancel to stop.")
CONFIRM_PROMPT = N_("Is this right? Confirm to save it and see which postings fit.")
CANCELLED = N_("Cancelled. Your saved profile, if any, is unchanged.")
SAVED = N_("✅ <b>Profile saved.</b>")
YOUR_PROFILE = N_("Your profile")
YOUR_SAVED_PROFILE = N_("Your saved profile")
UNDERSTOOD = N_("This is what I understood")
NO_PROFILE = N_(
    "You have no saved profile yet. Send /eligibility for a short questionnaire, or "
    "describe yourself in one message:\n"
    "<i>/profile I have a master's in law, 3 years at a ministry, fluent French and good "
    "English</i>"
)
NO_PROFILE_FACTS = N_(
    "I could not find a degree, experience or languages in that. Try for example:\n"
    "<i>/profile I have a master's in law, 3 years at a ministry, fluent French and good "
    "English</i>\nor send /eligibility for a short questionnaire."
)
DELETED = N_("🗑 Your saved profile has been deleted.")
NOTHING_TO_DELETE = N_("You have no saved profile, so there was nothing to delete.")
NO_POSTINGS = N_("No postings are indexed yet, so there is nothing to compare your profile with.")
NO_DEGREE_NOTE = N_(
    "Note: the postings ask for a completed university degree, and you said you have none "
    "yet."
)
HOW_TO_ASK = N_(
    "You can now ask in plain words, e.g. <i>Am I eligible for the NORMES post?</i> — "
    "I will use your saved profile. /profile shows or deletes it."
)


def step_prompt(step: int, prompt: str) -> str:
    """ "<b>Step 2 of 5</b> — <prompt>", translated."""
    return f"<b>{_(STEP).format(step=step, steps=STEPS)}</b> — {_(prompt)}"


class WizardStep(CallbackData, prefix="elw"):
    """Buttons of the wizard and of the confirmation under a free-text profile."""

    action: str  # degree | lang | done | skip | back | cancel | confirm | edit
    value: str = ""


class ProfileMenu(CallbackData, prefix="prof"):
    """Buttons under a shown saved profile."""

    action: str  # edit | delete | check


# --------------------------------------------------------------------------- keyboards


def _nav_row(back: bool = True) -> list[InlineKeyboardButton]:
    row = [InlineKeyboardButton(text=_("✖ Cancel"),
                                callback_data=WizardStep(action="cancel").pack())]
    if back:
        row.insert(0, InlineKeyboardButton(text=_("⬅ Back"),
                                           callback_data=WizardStep(action="back").pack()))
    return row


def degree_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for value, label in DEGREES.items():
        builder.row(InlineKeyboardButton(
            text=_(label), callback_data=WizardStep(action="degree", value=value).pack()))
    builder.row(*_nav_row(back=False))  # nothing before the first step
    return builder.as_markup()


def nav_keyboard(*, skip: bool = False) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if skip:
        builder.row(InlineKeyboardButton(text=_("Skip ⏭"),
                                         callback_data=WizardStep(action="skip").pack()))
    builder.row(*_nav_row())
    return builder.as_markup()


def languages_keyboard(selected: list[str]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(*[
        InlineKeyboardButton(text=f"{'✅' if iso in selected else '▫️'} {_(name)}",
                             callback_data=WizardStep(action="lang", value=iso).pack())
        for iso, name in LANGUAGES.items()
    ])
    builder.row(InlineKeyboardButton(text=_("Done ✔"),
                                     callback_data=WizardStep(action="done").pack()))
    builder.row(*_nav_row())
    return builder.as_markup()


def confirm_keyboard(*, wizard: bool) -> InlineKeyboardMarkup:
    """Confirm / Edit / Cancel (+ Back) after the wizard; Confirm / Cancel after free text."""
    builder = InlineKeyboardBuilder()
    buttons = [InlineKeyboardButton(text=_("✅ Confirm"),
                                    callback_data=WizardStep(action="confirm").pack())]
    if wizard:
        buttons.append(InlineKeyboardButton(text=_("✏️ Edit"),
                                            callback_data=WizardStep(action="edit").pack()))
    builder.row(*buttons)
    builder.row(*_nav_row(back=wizard))
    return builder.as_markup()


def profile_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✏️ Edit"), callback_data=ProfileMenu(action="edit"))
    builder.button(text=_("🗑 Delete"), callback_data=ProfileMenu(action="delete"))
    builder.button(text=_("🔎 Check postings"), callback_data=ProfileMenu(action="check"))
    builder.adjust(2, 1)
    return builder.as_markup()


# --------------------------------------------------------------------------- texts


def _number(value: float) -> str:
    return f"{value:g}"


def _degree_line(profile: Profile) -> str:
    if profile.has_degree or profile.degree_level:
        level = {"advanced": N_("Advanced degree (Master's or equivalent)"),
                 "first": N_("First university degree")}.get(
            profile.degree_level or "", N_("University degree (level not stated)"))
        field = (_(" in {field}").format(field=esc(profile.degree_field))
                 if profile.degree_field else "")
        focus = (_(", focus on {focus}").format(focus=esc(profile.degree_focus))
                 if profile.degree_focus else "")
        return f"{_(level)}{field}{focus}"
    if profile.degree_field:
        return _("No degree yet (studying {field})").format(field=esc(profile.degree_field))
    return _not_stated()


def _not_stated() -> str:
    return f"<i>{_('not stated')}</i>"


def _experience_line(profile: Profile) -> str:
    years = profile.years_experience
    if years is None:
        text = f"<i>{_('years not stated')}</i>"
    else:
        # plural forms are chosen on whole years (1.5 → "years" in every language)
        count = 1 if years == 1 else 2 if years != int(years) else int(years)
        text = ngettext("{years} year", "{years} years", count).format(years=_number(years))
    if profile.experience_domain:
        text += _(" in {area}").format(area=esc(profile.experience_domain))
    elif years is not None:
        text += _(" (area not stated)")
    return text


def _languages_line(profile: Profile) -> str:
    if not profile.languages:
        return _not_stated()
    parts = []
    for iso, level in profile.languages.items():
        name = esc(_(_LANGUAGE_NAMES[iso]) if iso in _LANGUAGE_NAMES else iso)
        shown = _(_LEVELS[level]) if level in _LEVELS else None
        parts.append(f"{name} ({shown})" if shown else name)
    return ", ".join(parts)


def format_profile(profile: Profile, *, title: str = YOUR_PROFILE,
                   updated_at: datetime | None = None) -> str:
    """`title` is an English msgid, translated here."""
    lines = [
        f"<b>{esc(_(title))}</b>",
        f"🎓 <b>{_('Degree:')}</b> {_degree_line(profile)}",
        f"💼 <b>{_('Experience:')}</b> {_experience_line(profile)}",
        f"🗣 <b>{_('Languages:')}</b> {_languages_line(profile)}",
    ]
    if profile.skills:
        lines.append(f"🛠 <b>{_('Skills:')}</b> {esc(', '.join(profile.skills))}")
    if profile.age is not None:
        lines.append(f"<b>{_('Age:')}</b> {profile.age}")
    if profile.nationality:
        lines.append(f"<b>{_('Nationality:')}</b> {esc(profile.nationality)}")
    if updated_at is not None:
        lines.append(f"<i>{_('Saved {when}').format(when=esc(format_timestamp(updated_at)))}</i>")
    return "\n".join(lines)


def format_ranking(ranked: list[tuple[Posting, Verdict]], profile: Profile) -> str:
    """The checker's ranked list (best fit first, one line of reasons each), escaped."""
    if not ranked:
        return _(NO_POSTINGS)
    # The checker's own multi-posting rendering, so the wizard and free-text questions agree;
    # its lexicon speaks the user's language too.
    text = ranked_verdicts_text(ranked, lexicon_for(current_locale()))
    head, *rest = text.split("\n")
    lines = [f"<b>{esc(head)}</b>", *(esc(line) for line in rest)]
    if not profile.has_degree and profile.degree_field:  # chose "No degree yet"
        lines.insert(1, f"<i>{_(NO_DEGREE_NOTE)}</i>")
    return "\n".join(lines)


def format_ranked_result(ranked: list[tuple[Posting, Verdict]], profile: Profile) -> str:
    return "\n\n".join([format_ranking(ranked, profile), _(HOW_TO_ASK)])
