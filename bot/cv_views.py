"""Texts and keyboards of CV uploads (Telegram HTML, all escaped).

The profile is shown by the eligibility views' own `format_profile`, and the verdicts after
confirming are their ranked list, so a CV, the wizard and a typed profile read alike.
"""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.eligibility_views import format_profile
from bot.formatting import esc
from bot.i18n import N_, _, ngettext, number
from retrieval.cv import CvReading

FROM_YOUR_CV = N_("📄 Read from your CV")
FIRST_DEGREE = N_("First university degree completed: {when}")
INTERNSHIPS = N_("Internships (not counted as work experience): {years}")
NOT_KEPT = N_(
    "Only this profile is kept, and only once you confirm: your CV and its text are not "
    "stored.")
CONFIRM_PROMPT = N_(
    "Is this right? <b>Confirm</b> to save it and see which postings fit, or <b>Edit</b> to "
    "correct it.")
EDIT_PROMPT = N_(
    "Type what to correct, in your own words, e.g. <i>my master's is in international "
    "law</i>, <i>4 years of experience</i> or <i>fluent Spanish, basic French</i>.")
EDIT_NOT_UNDERSTOOD = N_(
    "I could not find a degree, years of experience or a language in that. Try e.g. "
    "<i>4 years of experience</i> or <i>native French</i>, or send /cancel.")
CANCELLED = N_("Cancelled: nothing was saved. Your saved profile, if any, is unchanged.")
NOT_A_CV = N_(
    "❌ I found no degree, dated work experience or languages in {name}, so it does not read "
    "as a CV. Send your CV as a PDF, DOCX or text file, or describe yourself with /profile.")
LOOKS_LIKE_POSTING = N_(
    "📋 {name} looks like a vacancy announcement, not a CV: only admins can add postings. "
    "To check your eligibility, send your CV (PDF, DOCX or text) or use /eligibility.")
UNSUPPORTED = N_("❌ I can't read {name}: send your CV as a {types} file.")
TOO_LARGE = N_("❌ {name} is too large: files may be up to {limit} bytes.")
UNREADABLE = N_(
    "❌ I could not read {name}: the file is damaged, protected or not really a PDF, DOCX or "
    "text file. Please send another copy, or the text of your CV.")
EMPTY = N_(
    "❌ {name} has no text I can read (a scanned CV is a picture). Please send a PDF, DOCX or "
    "text file with the text of your CV.")
WHICH_KIND = N_(
    "📄 {name} could be a CV or a vacancy announcement. Which is it?")
AS_CV = N_("👤 A CV: check eligibility")
AS_POSTING = N_("📋 A posting: add it")


class CvStep(CallbackData, prefix="cv"):
    """Confirm / Edit / Cancel under a profile read from a CV."""

    action: str  # confirm | edit | cancel


def cv_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(
        InlineKeyboardButton(text=_("✅ Confirm"), callback_data=CvStep(action="confirm").pack()),
        InlineKeyboardButton(text=_("✏️ Edit"), callback_data=CvStep(action="edit").pack()))
    builder.row(InlineKeyboardButton(text=_("✖ Cancel"),
                                     callback_data=CvStep(action="cancel").pack()))
    return builder.as_markup()


def cancel_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✖ Cancel"), callback_data=CvStep(action="cancel"))
    return builder.as_markup()


def _years(value: float) -> str:
    count = 1 if value == 1 else 2 if value != int(value) else int(value)
    return ngettext("{years} year", "{years} years", count).format(years=f"{value:g}")


def format_cv_profile(reading: CvReading) -> str:
    """The profile read from a CV, what else the CV told, and the question to confirm."""
    lines = [format_profile(reading.profile, title=FROM_YOUR_CV)]
    if reading.first_degree is not None:
        # a CV giving only the year ("2014 – 2018") is read as January of it: show the year
        day = reading.first_degree
        when = str(day.year) if day.month == 1 else day.strftime("%m/%Y")
        lines.append(f"🗓 {_(FIRST_DEGREE).format(when=when)}")
    if reading.internship_months:
        lines.append(f"🧪 {_(INTERNSHIPS).format(years=_years(reading.internship_years))}")
    return "\n".join([*lines, "", f"<i>{_(NOT_KEPT)}</i>", "", _(CONFIRM_PROMPT)])


def format_refusal(reason: str, name: str, *, limit: int, types: Iterable[str]) -> str:
    """A file that cannot be read as a CV, said in the user's language."""
    if reason == "type":
        return _(UNSUPPORTED).format(name=esc(name), types=esc(", ".join(types)))
    if reason == "too_large" or reason == "size":
        return _(TOO_LARGE).format(name=esc(name), limit=number(limit))
    if reason == "empty":
        return _(EMPTY).format(name=esc(name))
    return _(UNREADABLE).format(name=esc(name))


def which_kind_keyboard(cv: str, posting: str) -> InlineKeyboardMarkup:
    """Two buttons for an admin's document that could be either; `cv` and `posting` are
    their packed callback data."""
    builder = InlineKeyboardBuilder()
    builder.row(InlineKeyboardButton(text=_(AS_CV), callback_data=cv))
    builder.row(InlineKeyboardButton(text=_(AS_POSTING), callback_data=posting))
    return builder.as_markup()
