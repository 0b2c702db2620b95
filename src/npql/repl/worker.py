"""Run a query in a worker thread so Ctrl-C can interrupt the solver instead of killing us."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


class Abandoned(KeyboardInterrupt):
    """A second Ctrl-C: the caller stops waiting; the worker may still be running."""


@dataclass
class _Box(Generic[T]):
    value: T | None = None
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)


def run_interruptible(
    fn: Callable[[], T],
    interrupt: Callable[[], None],
    *,
    lock: threading.Lock | None = None,
    on_first_interrupt: Callable[[], None] = lambda: None,
    poll: float = 0.05,
) -> T:
    """Call ``fn`` in a daemon thread (holding ``lock``) and wait for it.

    The first Ctrl-C calls ``interrupt`` (the solver stops; the answer turns UNKNOWN) and
    keeps waiting; a second one raises ``Abandoned``. An abandoned call keeps ``lock`` until
    it ends, so the next call waits for it: the engine is never used by two threads at once.
    """
    box: _Box[T] = _Box()
    args = (fn, box, lock or threading.Lock())
    threading.Thread(target=_work, args=args, name="npql-query", daemon=True).start()
    interrupted = False
    while True:
        try:
            while not box.done.wait(poll):
                pass
            break
        except KeyboardInterrupt:
            if interrupted:
                raise Abandoned from None
            interrupted = True
            interrupt()
            on_first_interrupt()
    if box.error is not None:
        raise box.error
    return box.value  # type: ignore[return-value]


def _work(fn: Callable[[], T], box: _Box[T], lock: threading.Lock) -> None:
    try:
        with lock:
            box.value = fn()
    except BaseException as exc:  # handed to the waiting thread
        box.error = exc
    finally:
        box.done.set()
