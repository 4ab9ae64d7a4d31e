"""/alerts: subscribe with the saved profile, set filters, pause, resume or delete; the
buttons under an alert (eligibility details, unsubscribe). The work is `AlertService`'s."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot.alert_views import (
    DELETED,
    DETAILS_NO_PROFILE,
    FILTER_UNKNOWN,
    FILTERS_SAVED,
    NO_PROFILE,
    NOT_SUBSCRIBED,
    NOTHING_TO_DELETE,
    SUBSCRIBED,
    AlertAction,
    format_subscription,
    subscribe_keyboard,
    subscription_keyboard,
)
from bot.formatting import esc
from bot.i18n import _, current_locale
from bot.keyboards import STALE_BUTTON, resolve_posting
from bot.replies import reply, send_to_callback_chat, show
from retrieval.alert_matching import AlertFilters, FilterError

if TYPE_CHECKING:
    from bot.alerts import AlertService
    from retrieval.catalog import PostingCatalog
    from state.alerts import Subscription


def create_router() -> Router:
    # A fresh router per dispatcher: a Router can have only one parent, and tests build many.
    router = Router(name="alerts")
    router.message.register(alerts_command, Command("alerts"))
    router.callback_query.register(alert_details, AlertAction.filter(F.action == "details"))
    router.callback_query.register(alert_button, AlertAction.filter())
    return router


def _shown(subscription: Subscription, note: str = "") -> str:
    text = format_subscription(subscription)
    return f"{note}\n\n{text}" if note else text


async def alerts_command(message: Message, command: CommandObject,
                         alerts: AlertService) -> None:
    assert message.from_user is not None
    # Alerts go to the user's private chat (whose id is the user's), also when /alerts was
    # sent in a group: a group must not receive one member's eligibility.
    user_id = chat_id = message.from_user.id
    if command.args and command.args.strip():
        try:
            filters = AlertFilters.parse(command.args)
        except FilterError as exc:
            await reply(message, _(FILTER_UNKNOWN).format(text=esc(str(exc))))
            return
        subscription = await alerts.set_filters(user_id, chat_id, current_locale(), filters)
        if subscription is None:
            await reply(message, _(NO_PROFILE))
            return
        await reply(message, _shown(subscription, _(FILTERS_SAVED)),
                    reply_markup=subscription_keyboard(subscription))
        return
    state, subscription = await alerts.overview(user_id)
    if state == "no_profile":
        await reply(message, _(NO_PROFILE))
    elif subscription is None:
        await reply(message, _(NOT_SUBSCRIBED), reply_markup=subscribe_keyboard())
    else:
        await reply(message, _shown(subscription),
                    reply_markup=subscription_keyboard(subscription))


async def alert_button(callback: CallbackQuery, callback_data: AlertAction,
                       alerts: AlertService) -> None:
    user_id = chat_id = callback.from_user.id  # the private chat, as in alerts_command
    action, locale = callback_data.action, current_locale()
    subscription: Subscription | None
    if action in ("subscribe", "subscribe_almost"):
        subscription = await alerts.subscribe(user_id, chat_id, locale,
                                              almost_fits=action == "subscribe_almost")
        if subscription is None:
            await show(callback, _(NO_PROFILE))
        else:
            await show(callback, _shown(subscription, _(SUBSCRIBED)),
                       subscription_keyboard(subscription))
        await callback.answer()
        return
    if action in ("delete", "unsubscribe"):
        deleted = await alerts.delete(user_id)
        text = _(DELETED) if deleted else _(NOTHING_TO_DELETE)
        if action == "unsubscribe":  # under an alert: the alert stays, the answer follows it
            await send_to_callback_chat(callback, text)
        else:
            await show(callback, text)
        await callback.answer()
        return
    if action == "pause":
        subscription = await alerts.pause(user_id)
    elif action == "resume":
        subscription = await alerts.resume(user_id, locale)
    elif action in ("almost_on", "almost_off"):
        subscription = await alerts.set_almost_fits(user_id, action == "almost_on")
    elif action == "clear":
        subscription = await alerts.set_filters(user_id, chat_id, locale, AlertFilters())
    else:
        subscription = None
    if subscription is None:
        await callback.answer(_(STALE_BUTTON), show_alert=True)
        return
    await show(callback, _shown(subscription), subscription_keyboard(subscription))
    await callback.answer()


async def alert_details(callback: CallbackQuery, callback_data: AlertAction,
                        alerts: AlertService, catalog: PostingCatalog) -> None:
    posting = resolve_posting(catalog, callback_data.key)
    if posting is None:
        await callback.answer(_(STALE_BUTTON), show_alert=True)
        return
    text = await alerts.details(callback.from_user.id, posting, current_locale())
    await send_to_callback_chat(callback, text or _(DETAILS_NO_PROFILE))
    await callback.answer()
