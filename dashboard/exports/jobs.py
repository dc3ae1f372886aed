"""Long exports (the deck, the PDF reports) built in the background, with their progress.

Each app has one `JobRunner` (`runner_of(app)`): a few daemon worker threads inside the server
process. Threads rather than a process per job (as Dash's `DiskcacheManager` starts one):
kaleido's Chromium server starts once per process (4–10 s) and then stays warm for every job,
and nothing has to be pickled. Renders take turns on that one server (`images.render` holds a
lock); queries and the writing of files run side by side, and the web server's own threads
keep answering every other request meanwhile.

A job runs outside any request, so the request that starts it captures what the job needs:
the visitor's scope (from the signed-in user, never from an input), its owner, the language
and the view. Its result is written to a private temporary directory and given only to its
owner, for `ttl` seconds after it finished. An owner may have `per_owner` jobs queued or
running, the server `queue_limit`; asking again for a job that is queued or running (a double
click) joins it.

Every heavy export goes through the runner: the buttons' callback starts a job and polls it,
and a direct link (/export/deck.pptx, a map or chart image, a PDF report) starts one and
waits for it. A waiting request holds one of the web server's threads, so at most `waiting`
requests may wait at once (`WAITING`, below the `REQUEST_THREADS` of `aimak serve`): the
other threads keep answering pages and callbacks however many exports are asked for. Beyond
any limit the answer is 429 with Retry-After.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hmac
import logging
import queue
import secrets
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path

import flask

from dashboard import auth
from dashboard.resilience import service_errors
from dashboard.unavailable import DATABASE_ERRORS

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
EXTENSION = "aimak_jobs"
_OWNER = "export_owner"  # the session key that names an anonymous visitor's jobs

#: `progress(done, total, message)`, as the reports call it
Progress = Callable[[int, int, str], None]
#: the threads of the web server `aimak serve` runs (waitress)
REQUEST_THREADS = 8
#: request threads that may wait for their export at once (fewer than REQUEST_THREADS)
WAITING = 3
#: seconds a direct export link waits for its job before it answers 202 (ask again)
WAIT_SECONDS = 60
#: the Retry-After of a refused (429) or unfinished (202) export, in seconds
RETRY_AFTER = 10


class Cancelled(Exception):
    """The job was cancelled before it finished; it stops at its next progress step."""


class JobLimit(Exception):
    """The owner already has as many jobs queued or running as they may."""


class Unavailable(Exception):
    """A service the exports need does not answer (a queue on Redis, the database): nothing
    wrong with what was asked, try again later (see `unavailable`)."""


def unavailable(error: BaseException | None) -> bool:
    """Whether `error` (raised by the runner, or a failed job's) is an outage of a shared
    service (the database unreachable, Redis down or frozen) rather than a fault of the export:
    the visitor is told that exports are unavailable for now, never shown a server error."""
    return isinstance(error, (Unavailable, *DATABASE_ERRORS, *service_errors()))


class Busy(Exception):
    """The server already has as many jobs queued or running (or requests waiting for one)
    as it takes."""


@dataclasses.dataclass
class Job:
    """One export: who asked, what it builds, how far it got, and its file when done."""

    id: str
    owner: str
    kind: str
    key: str  # what it builds (a repeated request for it while active joins it)
    filename: str
    media_type: str
    created: float
    state: str = QUEUED
    done: int = 0
    total: int = 0
    message: str = ""
    error: Exception | None = None
    finished: float | None = None
    path: Path | None = None
    cancelled: bool = False

    @property
    def active(self) -> bool:
        return self.state in (QUEUED, RUNNING)


class JobRunner:
    """Runs jobs on `workers` daemon threads (started with the first job), each inside
    `server`'s application context."""

    def __init__(
        self,
        server: flask.Flask | None = None,
        *,
        workers: int = 2,
        per_owner: int = 2,
        queue_limit: int = 8,
        ttl: float = 3600,
        waiting: int = WAITING,
    ):
        self.server, self.workers = server, workers
        self.per_owner, self.queue_limit, self.ttl = per_owner, queue_limit, ttl
        self.waiting = waiting
        self._waiters = threading.BoundedSemaphore(waiting)
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # a job changed state
        self._queue: queue.Queue = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._folder: Path | None = None  # made with the first job, removed with the runner

    # --- asking --------------------------------------------------------------------------

    def submit(
        self,
        owner: str,
        kind: str,
        key: str,
        filename: str,
        media_type: str,
        work: Callable[[Progress], bytes],
    ) -> Job:
        """Queue `work(progress) -> bytes` for `owner`; a copy of its job (the one already
        queued or running for the same owner and key, if any).

        Raises JobLimit or Busy when the owner or the server has too many jobs."""
        with self._lock:
            self._expire()
            # a cancelled job is on its way out (it stops at its next step): it neither
            # counts against a limit nor is joined
            active = [job for job in self._jobs.values() if job.active and not job.cancelled]
            for job in active:
                if job.owner == owner and job.key == key:
                    return dataclasses.replace(job)
            if sum(job.owner == owner for job in active) >= self.per_owner:
                raise JobLimit(owner)
            if len(active) >= self.queue_limit:
                raise Busy()
            job = Job(
                id=secrets.token_urlsafe(24),
                owner=owner,
                kind=kind,
                key=key,
                filename=filename,
                media_type=media_type,
                created=time.time(),
            )
            self._jobs[job.id] = job
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="aimak-exports-"))
                weakref.finalize(self, shutil.rmtree, self._folder, ignore_errors=True)
            self._start_workers()
            self._queue.put((job.id, work))
            return dataclasses.replace(job)

    def get(self, job_id, owner: str) -> Job | None:
        """A copy of the job, or None: unknown, expired, or someone else's."""
        with self._lock:
            self._expire()
            job = self._jobs.get(job_id) if isinstance(job_id, str) else None
            if job is None or not hmac.compare_digest(job.owner, owner):
                return None
            return dataclasses.replace(job)

    @contextlib.contextmanager
    def waiting_place(self):
        """Hold one of the `waiting` places of a request that waits for its job; Busy when
        every place is taken (never blocks)."""
        if not self._waiters.acquire(blocking=False):
            raise Busy()
        try:
            yield
        finally:
            self._waiters.release()

    def wait(self, job_id, owner: str, timeout: float) -> Job | None:
        """A copy of the job once it is no longer active, or as it is after `timeout`
        seconds; None when it is unknown or someone else's."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                job = self._jobs.get(job_id) if isinstance(job_id, str) else None
                if job is None or not hmac.compare_digest(job.owner, owner):
                    return None
                remaining = deadline - time.monotonic()
                if not job.active or remaining <= 0:
                    return dataclasses.replace(job)
                self._changed.wait(remaining)

    def result(self, job_id, owner: str) -> tuple[Job, bytes] | None:
        """The finished job and its file, for its owner only."""
        job = self.get(job_id, owner)
        if job is None or job.state != DONE or job.path is None:
            return None
        try:
            return job, job.path.read_bytes()
        except FileNotFoundError:  # expired meanwhile
            return None

    def cancel_all(self) -> int:
        """Cancel every queued or running job (a running one stops at its next progress
        step, e.g. when a test or the server is done with the app); how many were active."""
        with self._lock:
            active = [job for job in self._jobs.values() if job.active]
            for job in active:
                job.cancelled = True
        return len(active)

    def shutdown(self) -> None:
        """Stop the workers once the queued jobs are done (they are daemons: a server that
        stops does not wait for them)."""
        for _thread in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()
        self._threads = []

    # --- working -------------------------------------------------------------------------

    def _start_workers(self) -> None:
        while len(self._threads) < self.workers:
            thread = threading.Thread(
                target=self._work, name=f"aimak-export-{len(self._threads) + 1}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            self._run(*item)

    def _update(self, job_id: str, **changes) -> None:
        with self._changed:
            job = self._jobs.get(job_id)
            if job is not None:
                for name, value in changes.items():
                    setattr(job, name, value)
            self._changed.notify_all()

    def _run(self, job_id: str, work: Callable[[Progress], bytes]) -> None:
        def still_wanted() -> None:
            with self._lock:
                if self._jobs[job_id].cancelled:
                    raise Cancelled("the export was cancelled")

        def progress(done: int, total: int, message: str) -> None:
            still_wanted()
            self._update(job_id, done=done, total=total, message=message)

        self._update(job_id, state=RUNNING)
        try:
            still_wanted()
            if self.server is not None:
                with self.server.app_context():
                    data = work(progress)
            else:
                data = work(progress)
            path = self._folder / job_id
            path.write_bytes(data)
        except Cancelled as error:
            self._update(job_id, state=FAILED, error=error, finished=time.time())
            return
        except Exception as error:  # shown to the user, and logged with its traceback
            log.exception("export job %s failed", job_id)
            self._update(job_id, state=FAILED, error=error, finished=time.time())
            return
        with self._changed:
            job = self._jobs.get(job_id)
            if job is not None:
                job.state, job.path, job.finished = DONE, path, time.time()
                job.done = job.total = max(job.total, 1)
            self._changed.notify_all()

    def _expire(self) -> None:
        """Forget jobs (and delete files) finished more than `ttl` seconds ago (lock held)."""
        now = time.time()
        for job_id, job in list(self._jobs.items()):
            if job.finished is not None and now - job.finished > self.ttl:
                del self._jobs[job_id]
                if job.path is not None:
                    job.path.unlink(missing_ok=True)


def runner_of(app) -> JobRunner:
    """The app's runner, created with its first use."""
    extensions = app.server.extensions
    if EXTENSION not in extensions:
        extensions[EXTENSION] = JobRunner(app.server)
    return extensions[EXTENSION]


def owner_of_request() -> str:
    """Who owns the jobs this request starts or reads: the signed-in user, else the visitor's
    session (a random name kept in it; signing in starts a new session)."""
    user = auth.current_user()
    if user is not None:
        return f"user:{user.id}"
    token = flask.session.get(_OWNER)
    if not isinstance(token, str) or len(token) < 16:
        token = flask.session[_OWNER] = secrets.token_urlsafe(16)
    return f"session:{token}"
