"""Issue 12 point 2: imports run one at a time on every backend, and never duplicate rows.

Reproduction: two `aimak import` of the same 5,000-row workbook at once on SQLite both
reported "5000 created" and left 5,000 duplicated document links. Here two processes import
the same workbook at the same moment, on SQLite and on PostgreSQL, each waiting after its
validation for the other (so without the lock both validate before either writes); then
threads with their own engines show that a second import and a dry run wait for the one being
written and see its rows, that a wait has a limit, and that a unique key taken meanwhile
becomes a rejection.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading

import pytest
from sqlalchemy import false, func, select, text

from queries.engine import make_engine
from queries.imports import locking, pipeline, records
from queries.imports.pipeline import ImportRefused, commit, dry_run
from queries.models import Document
from tests.conftest import _postgres_database
from tests.test_import_workbooks import ARSTANBAP, book, with_units

#: enough rows for a real file; the race no longer depends on its size (see MEET_SECONDS)
ROWS = 20
#: how long an import, once validated, waits for the other one to have validated too
MEET_SECONDS = 2


def documents(count: int) -> bytes:
    """A workbook of `count` programme documents, each with its own link."""
    return book(
        {
            "documents": [
                {
                    "url": f"https://dpi.kg/docs/report-{number:05d}.pdf",
                    "municipality_pcode": ARSTANBAP,
                    "kind": "progress_report",
                    "title": f"Report {number}",
                    "issued_on": "2014-12-10",
                }
                for number in range(count)
            ]
        }
    )


@pytest.fixture
def engine(empty_engine):
    return with_units(empty_engine)


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def stored(engine) -> tuple[int, int]:
    """(document rows, distinct document links)."""
    with engine.connect() as connection:
        return connection.execute(select(func.count(), func.count(Document.url.distinct()))).one()


def _import_in_process(url: str, data: bytes, ready, validated, results) -> None:
    """A separate process, as `aimak import` is: its own engine; starts with the other one."""
    engine = make_engine(url)
    validations = []  # each validation of the file reads it once: "read" is reported once

    def progress(label: str, _done: int, _total: int) -> None:
        if label == "read":
            validations.append(label)
        elif label == "validated":
            # wait for the other import to have validated too, so that without the lock both
            # write what each found missing (the race, whatever the row count); with the lock
            # the other is still waiting for it, and this one goes on after MEET_SECONDS
            with contextlib.suppress(threading.BrokenBarrierError):
                validated.wait(MEET_SECONDS)

    ready.wait(120)  # both processes have started and imported their modules
    try:
        counts = commit(engine, data, "report.xlsx", progress=progress).counts("documents")
        results.put(((counts.created, counts.unchanged), len(validations)))
    except Exception as error:  # reported to the test, which fails on it
        results.put(repr(error))
    finally:
        engine.dispose()


def test_h2_two_processes_import_the_same_workbook_once(engine):
    data = documents(ROWS)
    context = multiprocessing.get_context("spawn")
    ready, validated, results = context.Barrier(3), context.Barrier(2), context.Queue()
    arguments = (url_of(engine), data, ready, validated, results)
    processes = [context.Process(target=_import_in_process, args=arguments) for _ in range(2)]
    for process in processes:
        process.start()
    ready.wait(120)
    reports = [results.get(timeout=300) for _ in processes]
    for process in processes:
        process.join(60)
    outcomes = sorted((r[0] if isinstance(r, tuple) else r for r in reports), key=str)
    assert outcomes == [(0, ROWS), (ROWS, 0)]  # one created, the other found them unchanged
    # the lock kept them apart, not the unique keys: without it both validate before either
    # commits, the second's insert meets the taken keys and it validates again (careful)
    assert [r[1] for r in reports] == [1, 1]


class Held:
    """An import whose commit stops after writing, before committing, until released."""

    def __init__(self, url: str, data: bytes):
        self.engine = make_engine(url)
        self.written, self.release = threading.Event(), threading.Event()
        self.outcome: list = []
        self.thread = threading.Thread(target=self.run, args=(data,))

    def progress(self, label: str, _done: int, _total: int) -> None:
        if label == "written":
            self.written.set()
            self.release.wait(60)

    def run(self, data: bytes) -> None:
        try:
            self.outcome.append(commit(self.engine, data, "first.xlsx", progress=self.progress))
        except Exception as error:
            self.outcome.append(error)

    def __enter__(self):
        self.thread.start()
        assert self.written.wait(60)
        return self

    def __exit__(self, *_exc):
        self.release.set()
        self.thread.join(60)
        self.engine.dispose()


def in_thread(function, *args) -> tuple[threading.Thread, list]:
    outcome: list = []

    def run():
        try:
            outcome.append(function(*args))
        except Exception as error:
            outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.parametrize("check", [commit, dry_run], ids=["commit", "dry_run"])
def test_h2_second_import_waits_and_finds_the_rows_unchanged(engine, check):
    data = documents(30)
    other = make_engine(url_of(engine))
    with Held(url_of(engine), data) as first:
        thread, outcome = in_thread(check, other, data, "second.xlsx")
        thread.join(1.5)
        assert thread.is_alive(), outcome  # waits for the import being written
    thread.join(60)
    other.dispose()
    assert first.outcome[0].counts("documents").created == 30
    assert (outcome[0].created, outcome[0].unchanged) == (0, 30)
    assert stored(engine) == (30, 30)


def test_h2_an_import_waits_only_so_long(engine, monkeypatch):
    monkeypatch.setattr(locking, "WAIT_SECONDS", 0.5)
    monkeypatch.setattr(pipeline, "DRY_RUN_WAIT_SECONDS", 0.5)
    data = documents(5)
    other = make_engine(url_of(engine))
    with Held(url_of(engine), data):
        with pytest.raises(ImportRefused) as refused:
            commit(other, data, "second.xlsx")
        checked = dry_run(other, data, "second.xlsx")  # goes on without the lock, and says so
    other.dispose()
    assert refused.value.reason == "busy"
    assert str(refused.value) == (
        "Another import is still running after 0 seconds; nothing was written. "
        "Try again when it has finished."
    )
    assert checked.counts("documents").created == 5
    assert pipeline.BUSY_NOTE in checked.notes


def test_h2_a_key_taken_meanwhile_is_a_row_rejection(engine, monkeypatch):
    """Validation misses a stored link (as if written after it read): no IntegrityError."""
    commit(engine, documents(3), "first.xlsx")
    load = records._LOADERS["documents"]
    monkeypatch.setitem(records._LOADERS, "documents", lambda: load().where(false()))
    with pytest.raises(ImportRefused) as refused:
        commit(engine, documents(3), "again.xlsx", accept_valid=True)
    summary = refused.value.summary
    assert [(r.code, r.sheet, r.row, r.column, r.cell) for r in summary.rejections] == [
        ("E-KEY-TAKEN", "Documents", 2, "Link", "A2")
    ]
    assert summary.rejections[0].message == (
        "The database already holds the record https://dpi.kg/docs/report-00000.pdf: another "
        "change wrote it while this file was being imported. Import the file again."
    )
    assert (summary.counts("documents").created, summary.rejected) == (2, 1)
    assert stored(engine) == (3, 3)


@pytest.fixture
def postgres_engine():
    """PostgreSQL only: there another writer can commit while an import writes."""
    for url in _postgres_database():
        engine = with_units(make_engine(url))
        yield engine
        engine.dispose()


@pytest.mark.postgres
def test_h2_on_postgresql_a_key_written_by_another_writer_meanwhile_is_absorbed(postgres_engine):
    """The import is validated and written again, and finds the link stored (on SQLite no one
    else can write while an import holds the write lock)."""
    engine, data = postgres_engine, documents(3)
    insert = text(
        "INSERT INTO document (programme_id, phase_id, kind, title_en, title_lang, url, issued_on,"
        " is_demo)"
        " SELECT programme_id, id, 'contract', 'Other', 'en', :url, '2014-12-10', false FROM phase"
        " WHERE number = 1"
    )
    commit(engine, documents(1), "one.xlsx")
    other = make_engine(url_of(engine))
    calls = []

    def progress(label, _done, _total):
        if label == "writing documents" and not calls:
            calls.append(label)
            with other.begin() as connection:
                connection.execute(insert, {"url": "https://dpi.kg/docs/report-00002.pdf"})

    summary = commit(engine, data, "again.xlsx", progress=progress)
    other.dispose()
    assert calls
    assert summary.rejections == []
    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 1)
    assert stored(engine) == (3, 3)
