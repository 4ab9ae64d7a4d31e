"""Texts and keyboards of /alerts and of the alert messages (Telegram HTML, all escaped).

The alert itself is the posting card `/postings` shows (bot/formatting.py) followed by the
eligibility checker's own verdict text; nothing here words a verdict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.eligibility_views import LANGUAGES as LANGUAGE_LABELS
from bot.formatting import Section, esc, format_posting_card
from bot.i18n import N_, _, current_locale
from bot.keyboards import PostingView, posting_key
from retrieval.eligibility import lexicon_for
from retrieval.eligibility.render import quote, single_verdict_text

if TYPE_CHECKING:
    from retrieval.alert_matching import AlertFilters, AlertMatch
    from retrieval.models import Posting
    from state.alerts import Subscription

NO_PROFILE = N_(
    "🔔 <b>Alerts</b> tell you when a new posting fits your profile, but you have no saved "
    "profile yet. Send /eligibility for a short questionnaire (or /profile followed by a "
    "sentence about yourself), then /alerts again."
)
NOT_SUBSCRIBED = N_(
    "🔔 <b>Alerts</b>: when a new posting is added or a posting changes, I check it against "
    "your saved profile and send it to you if you meet its minimum requirements.\n"
    "You can also hear about postings that <i>almost</i> fit (one requirement short), and "
    "narrow the alerts with filters, e.g.\n"
    "<code>/alerts station: Geneva; organisation: ILO; field: economics; language: French</code>"
)
SUBSCRIBED = N_("✅ You are subscribed to alerts.")
ACTIVE = N_("🔔 <b>Your alerts are on.</b>")
PAUSED = N_("⏸ <b>Your alerts are paused.</b>")
PAUSED_BLOCKED = N_(
    "⏸ <b>Your alerts are paused</b> because Telegram reported that the bot was blocked. "
    "Resume them if you want them again.")
ALMOST_ON = N_("Postings that almost fit (one requirement short): included.")
ALMOST_OFF = N_("Postings that almost fit: not included.")
NO_FILTERS = N_("Filters: none (every new posting is checked).")
FILTERS = N_("Filters:")
FILTER_HELP = N_(
    "Change the filters with e.g. <code>/alerts station: Geneva; language: French</code>.")
FILTER_UNKNOWN = N_(
    "I could not read “{text}” as a filter. Write for example:\n"
    "<code>/alerts station: Geneva; organisation: ILO; field: economics; language: French</code>"
)
FILTERS_SAVED = N_("✅ Filters saved.")
DELETED = N_("🗑 Your alert subscription has been deleted. Send /alerts to subscribe again.")
NOTHING_TO_DELETE = N_("You have no alert subscription.")
ALERT_FITS = N_("🔔 <b>New posting that fits your profile</b>")
ALERT_ALMOST = N_("🔔 <b>New posting that almost fits your profile</b>")
SHORT_OF = N_("⚠️ One minimum requirement short — {kind}: “{requirement}”")
DETAILS_NO_PROFILE = N_("You have no saved profile any more. Send /eligibility to set one.")

FILTER_LABELS = {
    "duty_station": N_("duty station"), "organisation": N_("organisation"),
    "field": N_("field"), "language": N_("language"),
}


class AlertAction(CallbackData, prefix="al"):
    """Buttons under /alerts and under an alert."""

    # subscribe | subscribe_almost | almost_on | almost_off | pause | resume | delete |
    # clear | details (key: the posting) | unsubscribe (under an alert)
    action: str
    key: str = ""


def _button(text: str, action: str, key: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=AlertAction(action=action,
                                                                    key=key).pack())


def subscribe_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(_button(_("🔔 Subscribe"), "subscribe"))
    builder.row(_button(_("🔔 Subscribe, also almost fits"), "subscribe_almost"))
    return builder.as_markup()


def subscription_keyboard(subscription: Subscription) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if subscription.status == "active":
        builder.row(_button(_("⏸ Pause"), "pause"), _button(_("🗑 Delete"), "delete"))
    else:
        builder.row(_button(_("▶️ Resume"), "resume"), _button(_("🗑 Delete"), "delete"))
    if subscription.almost_fits:
        builder.row(_button(_("Only postings that fit"), "almost_off"))
    else:
        builder.row(_button(_("Also postings that almost fit"), "almost_on"))
    if not subscription.filters.is_empty():
        builder.row(_button(_("✖ Clear filters"), "clear"))
    return builder.as_markup()


def alert_keyboard(posting: Posting) -> InlineKeyboardMarkup:
    key = posting_key(posting.id)
    builder = InlineKeyboardBuilder()
    builder.row(InlineKeyboardButton(
        text=_("🔎 Open"), callback_data=PostingView(key=key, section=Section.CARD).pack()),
        _button(_("✅ Eligibility details"), "details", key))
    builder.row(_button(_("🔕 Unsubscribe"), "unsubscribe"))
    return builder.as_markup()


def _filter_value(name: str, value: str) -> str:
    if name == "language":
        return _(LANGUAGE_LABELS[value]) if value in LANGUAGE_LABELS else value
    return value


def format_filters(filters: AlertFilters) -> str:
    if filters.is_empty():
        return _(NO_FILTERS)
    parts = [f"{_(label)}: <b>{esc(_filter_value(name, getattr(filters, name)))}</b>"
             for name, label in FILTER_LABELS.items() if getattr(filters, name)]
    return f"{_(FILTERS)} " + "; ".join(parts)


def format_subscription(subscription: Subscription) -> str:
    if subscription.status == "active":
        head = _(ACTIVE)
    else:
        head = _(PAUSED_BLOCKED) if subscription.paused_reason == "blocked" else _(PAUSED)
    return "\n".join([head, _(ALMOST_ON) if subscription.almost_fits else _(ALMOST_OFF),
                      format_filters(subscription.filters), "", _(FILTER_HELP)])


def format_verdict(posting: Posting, match: AlertMatch) -> str:
    """The checker's verdict on one posting (its reasons per requirement), escaped."""
    return esc(single_verdict_text(posting, match.verdict, lexicon_for(current_locale())))


def format_alert(posting: Posting, match: AlertMatch) -> str:
    lines = [_(ALERT_FITS) if match.kind == "fits" else _(ALERT_ALMOST), "",
             format_posting_card(posting), ""]
    if match.short_of is not None:
        kind = lexicon_for(current_locale())["kind"][match.short_of.requirement.kind]
        lines.append(_(SHORT_OF).format(
            kind=esc(kind), requirement=esc(quote(match.short_of.requirement.source_text))))
    lines.append(format_verdict(posting, match))
    return "\n".join(lines)
