"""The chat model: built from `Settings`, and called under one retry policy.

Providers: `openai` (any OpenAI-compatible server), `ollama`, and `fake` (LangChain's
`FakeListChatModel` replying with `LLM_FAKE_REPLIES` in turn: the whole chain offline, for
demos and tests). Every call — a plain call, sync or async, or a stream — goes through
`ModelCaller`, whose tenacity policy is written once: one retry after `backoff` seconds for
timeouts, connection errors, 408/409/429/5xx and empty or malformed output; none for other
client errors (a bad key, an unknown model). What is left after the retry is raised as
`LLMUnavailableError`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.runnables import Runnable
from pydantic import SecretStr
from tenacity import (
    AsyncRetrying,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_fixed,
)

from retrieval.settings import Settings

log = logging.getLogger("retrieval.llm")

ATTEMPTS = 2  # the first call and one retry


class LLMUnavailableError(RuntimeError):
    """The model did not give a usable reply (after the retry)."""


class EmptyOutputError(RuntimeError):
    """The model answered with nothing."""


def build_chat_model(settings: Settings) -> BaseChatModel | None:
    """The configured chat model; None when no LLM is configured (or it cannot be built)."""
    provider = settings.llm_provider
    try:
        if provider == "openai":
            from langchain_openai import ChatOpenAI

            key = settings.llm_api_key.get_secret_value()
            if not key and settings.llm_base_url:
                key = "not-needed"  # local OpenAI-compatible servers take any key
            kwargs: dict[str, Any] = {"api_key": SecretStr(key)} if key else {}
            return ChatOpenAI(
                model=settings.llm_model,
                base_url=settings.llm_base_url or None,
                timeout=settings.llm_timeout,
                max_retries=0,  # the retry is ModelCaller's, not the client's
                temperature=settings.llm_temperature,
                max_tokens=settings.llm_max_tokens,
                stream_usage=True,
                **kwargs,
            )
        if provider == "ollama":
            from langchain_ollama import ChatOllama

            return ChatOllama(
                model=settings.llm_model,
                base_url=settings.llm_base_url or None,
                temperature=settings.llm_temperature,
                num_predict=settings.llm_max_tokens,
                client_kwargs={"timeout": settings.llm_timeout},
            )
        if provider == "fake":
            from langchain_core.language_models.fake_chat_models import FakeListChatModel

            return FakeListChatModel(
                responses=list(settings.llm_fake_replies) or ["The postings do not state this."])
    except Exception as exc:  # misconfiguration: serve extractive answers, say why
        log.error("LLM provider %s could not be set up (%s); answering without it",
                  provider, exc)
        return None
    return None


def retryable(exc: BaseException) -> bool:
    """Timeouts, connection errors, 408/409/429/5xx and empty/malformed output are worth a
    retry; other client errors are not, and neither is a cancellation or a closed stream."""
    if not isinstance(exc, Exception):
        return False
    status = getattr(exc, "status_code", None)
    if status is None:
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
    if isinstance(status, int) and status >= 400:
        return status in {408, 409, 429} or status >= 500
    return True  # no status, or a 200 whose body could not be read: malformed output


def message_text(result: object) -> str:
    if isinstance(result, str):
        return result
    if isinstance(result, BaseMessage):
        return str(result.text)
    raise TypeError(f"unexpected model output {type(result).__name__}")


def model_name(model: BaseChatModel) -> str:
    return str(getattr(model, "model_name", None) or getattr(model, "model", None)
               or type(model).__name__)


class ModelCaller:
    """Calls a chain with a timeout, one retry, and a log line per attempt."""

    def __init__(self, name: str, timeout: float, backoff: float) -> None:
        self.name = name
        self.timeout = timeout
        self.backoff = backoff

    def _policy(self) -> dict[str, Any]:
        return {"stop": stop_after_attempt(ATTEMPTS), "wait": wait_fixed(self.backoff),
                "retry": retry_if_exception(retryable), "reraise": True}

    def call(self, fn: Callable[[], object], step: str) -> str:
        """`fn()`'s text (the client enforces the timeout)."""
        try:
            for attempt in Retrying(**self._policy()):
                with attempt:
                    return self._checked(fn, step, attempt.retry_state.attempt_number)
        except Exception as exc:
            raise LLMUnavailableError(repr(exc)) from exc
        raise LLMUnavailableError("no attempt made")  # pragma: no cover - stop ≥ 1

    async def acall(self, fn: Callable[[], Awaitable[object]], step: str) -> str:
        """`await fn()`'s text, within `timeout`."""
        async def timed() -> object:
            async with asyncio.timeout(self.timeout):
                return await fn()

        try:
            async for attempt in AsyncRetrying(**self._policy()):
                with attempt:
                    return await self._achecked(timed, step, attempt.retry_state.attempt_number)
        except Exception as exc:
            raise LLMUnavailableError(repr(exc)) from exc
        raise LLMUnavailableError("no attempt made")  # pragma: no cover - stop ≥ 1

    async def astream(self, chain: Runnable[dict[str, str], BaseMessage],
                      inputs: dict[str, str], step: str) -> AsyncIterator[tuple[int, str]]:
        """(attempt number, text piece) as tokens arrive; a new attempt number means the
        text so far is void and starts again. Raises `LLMUnavailableError` at the end."""
        try:
            async for attempt in AsyncRetrying(**self._policy()):
                with attempt:
                    number = attempt.retry_state.attempt_number
                    started = time.perf_counter()
                    total: AIMessageChunk | None = None
                    text = ""
                    try:
                        async with aclosing(self._chunks(chain, inputs)) as chunks:
                            async for chunk in chunks:
                                if isinstance(chunk, AIMessageChunk):
                                    total = chunk if total is None else total + chunk
                                piece = message_text(chunk)
                                if piece:
                                    text += piece
                                    yield number, piece
                        if not text.strip():
                            raise EmptyOutputError("empty reply")
                    except Exception as exc:
                        self.log(step, started, total, number, repr(exc))
                        raise
                    self.log(step, started, total, number, "ok")
        except Exception as exc:
            raise LLMUnavailableError(repr(exc)) from exc

    async def _chunks(self, chain: Runnable[dict[str, str], BaseMessage],
                      inputs: dict[str, str]) -> AsyncGenerator[BaseMessage, None]:
        """The model's chunks; TimeoutError when none arrives within `timeout`.

        The stream is read by a separate task so that the timeout never spans a `yield`
        (a timeout armed in the consumer's task would cancel whatever the consumer awaits)."""
        queue: asyncio.Queue[BaseMessage | BaseException | None] = asyncio.Queue()
        limit = self.timeout

        async def produce() -> None:
            loop = asyncio.get_running_loop()
            try:
                async with asyncio.timeout(limit) as deadline:
                    async for chunk in chain.astream(inputs):
                        deadline.reschedule(loop.time() + limit)
                        queue.put_nowait(chunk)
                queue.put_nowait(None)
            except Exception as exc:
                queue.put_nowait(exc)

        task = asyncio.create_task(produce())
        try:
            while True:
                item = await queue.get()
                if item is None:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            if not task.done():
                task.cancel()

    def _checked(self, fn: Callable[[], object], step: str, number: int) -> str:
        started = time.perf_counter()
        try:
            result = fn()
            text = self._text(result)
        except Exception as exc:
            self.log(step, started, None, number, repr(exc))
            raise
        self.log(step, started, result, number, "ok")
        return text

    async def _achecked(self, fn: Callable[[], Awaitable[object]], step: str,
                        number: int) -> str:
        started = time.perf_counter()
        try:
            result = await fn()
            text = self._text(result)
        except Exception as exc:
            self.log(step, started, None, number, repr(exc))
            raise
        self.log(step, started, result, number, "ok")
        return text

    @staticmethod
    def _text(result: object) -> str:
        text = message_text(result)
        if not text.strip():
            raise EmptyOutputError("empty reply")
        return text

    def log(self, step: str, started: float, result: object, number: int,
            outcome: str) -> None:
        usage = getattr(result, "usage_metadata", None) or {}
        log.info("llm %s model=%s attempt=%d latency_ms=%d input_tokens=%s output_tokens=%s "
                 "outcome=%s", step, self.name, number, (time.perf_counter() - started) * 1000,
                 usage.get("input_tokens", "?"), usage.get("output_tokens", "?"), outcome)
