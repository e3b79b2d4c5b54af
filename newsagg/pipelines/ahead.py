"""Work of an item pipeline stage done ahead of it, elsewhere (re-extraction's worker
processes), kept for the stage until its item arrives. Bounded: an item rejected on its way
never comes to take what was computed for it."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

HELD = 1024  # results waiting at most; the oldest is let go first


class Ahead(Generic[K, V]):
    def __init__(self, held: int = HELD) -> None:
        self.held = held
        self._waiting: dict[K, V] = {}  # in the order offered

    def __len__(self) -> int:
        return len(self._waiting)

    def __contains__(self, key: K) -> bool:
        return key in self._waiting

    def offer(self, key: K, value: V) -> None:
        if len(self._waiting) >= self.held and key not in self._waiting:
            del self._waiting[next(iter(self._waiting))]
        self._waiting[key] = value

    def take(self, key: K) -> V | None:
        """The value offered for `key`, once; None if none waits."""
        return self._waiting.pop(key, None)
