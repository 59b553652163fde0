"""`Alongside` runs Python work in a thread with its own connection, outside transactions on
PostgreSQL; inside a transaction (or on SQLite) at once, where the rows are visible."""

import threading

import pytest
from django.db import connection

from ppaos.areas.models import Province
from ppaos.lib.alongside import Alongside


def _count_in(thread_names: list):
    def count() -> int:
        thread_names.append(threading.current_thread().name)
        return Province.objects.count()

    return count


@pytest.mark.django_db
def test_inside_a_transaction_it_runs_at_once_and_sees_its_rows():
    Province.objects.create(code="99", name_th="ทดสอบ", name_en="Test")
    names: list = []
    work = Alongside(_count_in(names), name="never-started")
    assert not work.in_thread and names == [threading.current_thread().name]
    assert work.result() == Province.objects.count()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads only on PostgreSQL")
def test_outside_a_transaction_it_runs_in_its_own_thread():
    Province.objects.create(code="99", name_th="ทดสอบ", name_en="Test")
    names: list = []
    work = Alongside(_count_in(names), name="alongside-test")
    assert work.in_thread
    assert work.result() == Province.objects.count() >= 1
    assert names == ["alongside-test"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads only on PostgreSQL")
def test_what_the_thread_raises_the_caller_gets():
    def fail():
        raise LookupError("nothing there")

    work = Alongside(fail)
    assert work.in_thread
    with pytest.raises(LookupError, match="nothing there"):
        work.result()
