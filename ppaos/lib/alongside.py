"""Python work run alongside the database's: a thread with its own connection.

A job that sends PostgreSQL long statements and also computes in Python (the dashboards'
refresh: SQL aggregates, then each household's reviewed status in Python) leaves one of two
cores idle in each phase. `Alongside(function)` starts `function` in a thread, with a database
connection of its own, while the caller goes on; `result()` waits for it and returns what it
returned, or raises what it raised.

Inside a transaction it runs `function` at once instead, in the caller's thread: another
connection would not see the transaction's rows (the tests run so). On SQLite too, which
serialises writers anyway."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection, connections


class Alongside:
    def __init__(self, function: Callable[[], Any], *, name: str = "ppaos-alongside"):
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if connection.in_atomic_block or connection.vendor != "postgresql":
            self._value = function()
            return

        def run() -> None:
            try:
                self._value = function()
            except BaseException as error:  # handed to the caller by result()
                self._error = error
            finally:
                connections.close_all()  # this thread's connections only

        self._thread = threading.Thread(target=run, name=name, daemon=True)
        self._thread.start()

    @property
    def in_thread(self) -> bool:
        """Whether `function` runs in a thread of its own (False: it has already run)."""
        return self._thread is not None

    def result(self) -> Any:
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value
