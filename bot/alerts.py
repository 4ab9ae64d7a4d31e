"""`AlertService`: /alerts subscriptions, and alerts about new or changed postings.

Flow: the indexer emits `PostingsChanged` (ids and content hashes) after an index switch that
added or changed postings (a /reindex, an admin upload). The service matches each new posting
version against every active subscription — filters, then the stored profile through the
eligibility checker (retrieval/alert_matching.py) — and queues one outbox row per fitting
(user, posting, version) in the state database. The sender (bot/alert_sender.py) delivers the
queue; at send time the posting and the profile are read again, so a posting replaced or a
profile changed since cannot be alerted stale.

Versions matched are recorded too: at start-up a replica matches what it has not seen (a
reindex from the command line, or a crash between the switch and the queuing). The very first
start records the postings already there without alerting anyone about them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from typing import TYPE_CHECKING, Literal

from bot.alert_sender import AlertSender
from bot.alert_views import alert_keyboard, format_alert, format_verdict
from retrieval.alert_matching import AlertFilters, AlertMatch, AlertMatcher
from state.alerts import AlertDraft, AlertStore, OutboxItem, Subscription

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.types import InlineKeyboardMarkup
    from aiogram.utils.i18n import I18n

    from retrieval.eligibility.checker import Catalog
    from retrieval.indexer import PostingsChanged
    from retrieval.models import Posting, Profile
    from retrieval.settings import Settings
    from state.profiles import ProfileStore

logger = logging.getLogger(__name__)

Overview = Literal["no_profile", "not_subscribed", "subscribed"]


class AlertService:
    def __init__(self, settings: Settings, store: AlertStore, profiles: ProfileStore,
                 catalog: Catalog, matcher: AlertMatcher, i18n: I18n) -> None:
        self.settings = settings
        self.store = store
        self.profiles = profiles
        self.catalog = catalog
        self.matcher = matcher
        self.i18n = i18n
        self.sender = AlertSender(
            store, self._render, self._blocked,
            rate_per_second=settings.alerts_rate_per_second,
            chat_interval=settings.alerts_chat_interval_seconds,
            batch=settings.alerts_batch, lease_seconds=settings.alerts_lease_seconds,
            poll_seconds=settings.alerts_poll_seconds,
            max_attempts=settings.alerts_max_attempts)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._matching: set[concurrent.futures.Future[int]] = set()

    # ---- subscriptions (the /alerts handlers) --------------------------------------------------

    async def overview(self, user_id: int) -> tuple[Overview, Subscription | None]:
        subscription = await self.store.get(user_id)
        if subscription is not None:
            return "subscribed", subscription
        profile = await self.profiles.get(user_id)
        return ("not_subscribed" if profile is not None and profile.has_facts()
                else "no_profile"), None

    async def subscribe(self, user_id: int, chat_id: int, locale: str, *,
                        almost_fits: bool = False,
                        filters: AlertFilters | None = None) -> Subscription | None:
        """Subscribe (or re-activate, keeping the filters); None without a saved profile."""
        profile = await self.profiles.get(user_id)
        if profile is None or not profile.has_facts():
            return None
        existing = await self.store.get(user_id)
        subscription = Subscription(
            user_id=user_id, chat_id=chat_id, locale=locale, almost_fits=almost_fits,
            filters=filters or (existing.filters if existing else AlertFilters()))
        await self.store.save(subscription)
        return subscription

    async def set_filters(self, user_id: int, chat_id: int, locale: str,
                          filters: AlertFilters) -> Subscription | None:
        """New filters (subscribing when needed); None without a saved profile."""
        existing = await self.store.get(user_id)
        if existing is None:
            return await self.subscribe(user_id, chat_id, locale, filters=filters)
        updated = existing.model_copy(update={"filters": filters, "locale": locale})
        await self.store.save(updated)
        return updated

    async def set_almost_fits(self, user_id: int, wanted: bool) -> Subscription | None:
        existing = await self.store.get(user_id)
        if existing is None:
            return None
        updated = existing.model_copy(update={"almost_fits": wanted})
        await self.store.save(updated)
        return updated

    async def pause(self, user_id: int) -> Subscription | None:
        await self.store.set_status(user_id, "paused", "user")
        return await self.store.get(user_id)

    async def resume(self, user_id: int, locale: str) -> Subscription | None:
        existing = await self.store.get(user_id)
        if existing is None:
            return None
        updated = existing.model_copy(update={"status": "active", "paused_reason": "",
                                              "locale": locale})
        await self.store.save(updated)
        return updated

    async def delete(self, user_id: int) -> bool:
        return await self.store.delete(user_id)

    async def details(self, user_id: int, posting: Posting, locale: str) -> str | None:
        """The verdict on `posting` for the user's saved profile (HTML); None without one."""
        profile = await self.profiles.get(user_id)
        if profile is None:
            return None
        verdict = self.matcher.checker.check(profile, posting, locale)
        return format_verdict(posting, AlertMatch(kind="fits", verdict=verdict))

    # ---- new postings ----------------------------------------------------------------------

    def on_postings_changed(self, event: PostingsChanged) -> None:
        """The indexer's hook (called on its worker thread): match on the event loop."""
        loop = self._loop
        if loop is None or loop.is_closed():
            logger.info("Postings changed while alerts are not running; matched at start-up")
            return
        future = asyncio.run_coroutine_threadsafe(
            self.postings_changed({p.posting_id: p.version for p in event.postings}), loop)
        self._matching.add(future)  # awaited at stop, so no matching is cut off
        future.add_done_callback(self._matching.discard)

    async def postings_changed(self, versions: dict[str, str]) -> int:
        """Queue the alerts for these posting versions (id → content hash); returns how many
        were queued. Idempotent: a version matched twice (two replicas) queues nothing more."""
        postings = [p for p in (self.catalog.get(pid) for pid in versions)
                    if p is not None and p.content_hash == versions[p.id]]
        drafts: list[AlertDraft] = []
        if postings:
            for subscription in await self.store.active():
                profile = await self.profiles.get(subscription.user_id)
                if profile is None:
                    continue
                for posting in postings:
                    match = self._match(subscription, profile, posting)
                    if match is not None:
                        drafts.append(AlertDraft(
                            user_id=subscription.user_id, chat_id=subscription.chat_id,
                            posting_id=posting.id, version=posting.content_hash,
                            kind=match.kind))
        queued = await self.store.enqueue(drafts)
        await self.store.mark_seen({p.id: p.content_hash for p in postings})
        logger.info("Alerts: %d posting version(s) matched, %d alert(s) queued",
                    len(postings), queued)
        if queued:
            self.sender.wake()
        return queued

    async def catch_up(self) -> int:
        """Match the posting versions no replica has matched yet (see the module doc)."""
        current = {p.id: p.content_hash for p in self.catalog.all()}
        if not await self.store.any_seen():  # the first start: these are the baseline
            await self.store.mark_seen(current)
            return 0
        unseen = await self.store.unseen(current)
        return await self.postings_changed(unseen) if unseen else 0

    def _match(self, subscription: Subscription, profile: Profile,
               posting: Posting) -> AlertMatch | None:
        return self.matcher.match(profile, posting, subscription.filters,
                                  almost_fits=subscription.almost_fits,
                                  language=subscription.locale)

    # ---- the sender's side -----------------------------------------------------------------

    async def start(self, bot: Bot) -> None:
        """On dispatcher start-up: catch up, then deliver (unless this replica does not)."""
        self._loop = asyncio.get_running_loop()
        try:
            await self.catch_up()
        except Exception:  # alerts must never keep the bot from answering
            logger.exception("Catching up on alerts failed")
        if self.settings.alerts_deliver:
            self.sender.start(bot)

    async def stop(self) -> None:
        self._loop = None
        await self.sender.stop()
        if self._matching:
            await asyncio.gather(*(asyncio.wrap_future(f) for f in list(self._matching)),
                                 return_exceptions=True)

    async def _render(self, item: OutboxItem) -> tuple[str, InlineKeyboardMarkup] | None:
        posting = self.catalog.get(item.posting_id)
        if posting is None or posting.content_hash != item.version:
            return None
        profile = await self.profiles.get(item.user_id)
        if profile is None:
            return None
        subscription = Subscription(user_id=item.user_id, chat_id=item.chat_id,
                                    locale=item.locale, filters=item.filters,
                                    almost_fits=item.almost_fits)
        match = self._match(subscription, profile, posting)
        if match is None:
            return None
        with self.i18n.context(), self.i18n.use_locale(item.locale):
            return format_alert(posting, match), alert_keyboard(posting)

    async def _blocked(self, item: OutboxItem) -> None:
        await self.store.set_status(item.user_id, "paused", "blocked")
