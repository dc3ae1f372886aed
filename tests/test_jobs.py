"""Background exports: the job runner (progress, owners, limits, expiry, failures), and the
deck and report jobs started from the export menu's callback, in the visitor's scope, while
the rest of the app keeps answering."""

from __future__ import annotations

import base64
import io
import re
import shutil
import threading
import time

import pytest
from pptx import Presentation
from pypdf import PdfReader

from dashboard.exports import deck, images, jobs
from dashboard.i18n import Translator
from queries import geography
from queries.scope import Filters, Scope
from tests.conftest import skip_or_fail

TALAS = "KG07000000000"
SUMBULA = "KG05236836000"  # Batken
OUTPUTS = [
    {"id": "export-job", "property": "data"},
    {"id": "export-job-poll", "property": "disabled"},
    {"id": "export-job-status", "property": "children"},
    {"id": "export-job-download", "property": "data"},
]


def wait(predicate, timeout: float = 10, step: float = 0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(step)
    raise AssertionError("timed out")


# --- the runner ----------------------------------------------------------------------------


@pytest.fixture
def runner():
    runner = jobs.JobRunner(workers=1, per_owner=2, queue_limit=3)
    yield runner
    runner.shutdown()


def test_a_job_reports_progress_and_only_its_owner_gets_the_file(runner):
    step, finish = threading.Event(), threading.Event()

    def work(progress):
        progress(1, 3, "one of three")
        step.set()
        finish.wait(5)
        progress(2, 3, "two of three")
        return b"the file"

    job = runner.submit("user:1", "deck", "k", "a.pptx", "application/x", work)
    assert job.state in (jobs.QUEUED, jobs.RUNNING)
    assert len(job.id) >= 32
    step.wait(5)
    running = runner.get(job.id, "user:1")
    assert (running.state, running.done, running.total, running.message) == (
        jobs.RUNNING,
        1,
        3,
        "one of three",
    )
    assert runner.result(job.id, "user:1") is None  # not ready yet
    finish.set()
    done = wait(lambda: (j := runner.get(job.id, "user:1")) and j.state == jobs.DONE and j)
    assert (done.done, done.total) == (3, 3)
    assert runner.result(job.id, "user:1")[1] == b"the file"
    assert runner.get(job.id, "user:2") is None
    assert runner.result(job.id, "user:2") is None
    assert runner.get("not-a-job", "user:1") is None
    assert runner.get(None, "user:1") is None


def test_a_failed_job_keeps_its_error(runner):
    def work(progress):
        raise LookupError("municipality X is not in scope")

    job = runner.submit("user:1", "municipality-report", "k", "x.pdf", "application/pdf", work)
    failed = wait(lambda: (j := runner.get(job.id, "user:1")) and not j.active and j)
    assert failed.state == jobs.FAILED
    assert isinstance(failed.error, LookupError)
    assert runner.result(job.id, "user:1") is None


def test_cancelled_jobs_stop_at_their_next_step_and_queued_ones_never_start(runner):
    started, steps = threading.Event(), []

    def work(progress):
        started.set()
        for step in range(1, 1000):
            progress(step, 1000, "step")
            steps.append(step)
            time.sleep(0.005)
        return b"never"

    running = runner.submit("user:1", "deck", "a", "a.pptx", "application/x", work)
    queued = runner.submit("user:2", "deck", "b", "b.pptx", "application/x", work)
    started.wait(5)
    assert runner.cancel_all() == 2
    for job in (running, queued):
        ended = wait(lambda job=job: (j := runner.get(job.id, job.owner)) and not j.active and j)
        assert ended.state == jobs.FAILED
        assert isinstance(ended.error, jobs.Cancelled)
        assert runner.result(job.id, job.owner) is None
    assert 0 < len(steps) < 999  # the running one stopped early; the queued one never ran
    assert runner.cancel_all() == 0


def test_a_repeated_click_joins_the_job_and_limits_refuse_more(runner):
    release = threading.Event()

    def work(progress):
        release.wait(5)
        return b"x"

    first = runner.submit("user:1", "deck", "same", "a", "m", work)
    assert runner.submit("user:1", "deck", "same", "a", "m", work).id == first.id
    second = runner.submit("user:1", "deck", "other", "a", "m", work)
    assert second.id != first.id
    with pytest.raises(jobs.JobLimit):
        runner.submit("user:1", "deck", "third", "a", "m", work)
    runner.submit("user:2", "deck", "k", "a", "m", work)  # the third active job: the limit
    with pytest.raises(jobs.Busy):
        runner.submit("user:3", "deck", "k", "a", "m", work)
    assert runner.get(second.id, "user:1").state == jobs.QUEUED  # one worker: it waits
    release.set()
    wait(lambda: runner.get(second.id, "user:1").state == jobs.DONE)
    assert runner.submit("user:1", "deck", "same", "a", "m", work).id != first.id  # done: anew


def test_results_expire_and_their_files_are_deleted():
    runner = jobs.JobRunner(workers=1, ttl=0.2)
    try:
        job = runner.submit("user:1", "deck", "k", "a", "m", lambda progress: b"data")
        wait(lambda: runner.get(job.id, "user:1").state == jobs.DONE)
        path = runner._jobs[job.id].path
        assert path.read_bytes() == b"data"
        time.sleep(0.3)
        assert runner.get(job.id, "user:1") is None
        assert not path.exists()
    finally:
        runner.shutdown()


# --- the app -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(module_app):
    if not shutil.which("chromium"):
        skip_or_fail("Debian chromium is not installed")
    return module_app


def client_of(app, username: str | None = None):
    client = app.server.test_client()
    if username:
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = {"csrf_token": token, "username": username, "password": username}
        assert client.post("/login", data=form).status_code == 303
    return client


def job_callback(app, client, *, kind=None, job=None, pathname="/", search=""):
    """POST the export menu's job callback as the browser does: a click on `kind`'s button,
    or (no kind) a tick of the poll."""
    key = next(k for k in app.callback_map if "export-job.data" in k)
    clicked = f'{{"export-job":"{kind}"}}.n_clicks' if kind else "export-job-poll.n_intervals"
    body = {
        "output": key,
        "outputs": OUTPUTS,
        "inputs": [
            [{"id": {"export-job": kind or "deck"}, "property": "n_clicks", "value": 1}],
            {"id": "export-job-poll", "property": "n_intervals", "value": 3},
        ],
        "state": [
            {"id": "export-job", "property": "data", "value": job},
            {"id": "url", "property": "pathname", "value": pathname},
            {"id": "url", "property": "search", "value": search},
        ],
        "changedPropIds": [clicked],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]


def text_of(node) -> str:
    if isinstance(node, dict):
        return text_of(node.get("props", {}).get("children")) if "props" in node else ""
    if isinstance(node, list):
        return " ".join(text_of(n) for n in node)
    return "" if node is None else str(node)


def run_job(app, client, kind, pathname="/", search="", timeout=180):
    """Start a job and poll it to the end: (job id, status texts seen, final response)."""
    response = job_callback(app, client, kind=kind, pathname=pathname, search=search)
    job_id = response["export-job"]["data"]
    assert job_id
    assert response["export-job-poll"]["disabled"] is False
    seen = [text_of(response["export-job-status"]["children"])]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.3)
        response = job_callback(app, client, job=job_id, pathname=pathname, search=search)
        seen.append(text_of(response["export-job-status"]["children"]))
        if response["export-job-poll"]["disabled"]:
            return job_id, seen, response
    raise AssertionError(f"the job did not finish: {seen[-3:]}")


def downloaded(response) -> tuple[str, bytes]:
    data = response["export-job-download"]["data"]
    assert data["base64"] is True
    return data["filename"], base64.b64decode(data["content"])


def test_a_deck_job_reads_the_officials_scope_while_the_app_keeps_answering(app):
    ctx = app.server.extensions["aimak"]
    runner = jobs.runner_of(app)
    official = client_of(app, "demo-talas")
    response = job_callback(app, official, kind="deck", search="?lang=ru")
    job_id = response["export-job"]["data"]
    owner = next(j.owner for j in runner._jobs.values() if j.id == job_id)
    wait(lambda: runner.get(job_id, owner).state == jobs.RUNNING, timeout=60)
    # while the deck is being built, another visitor's requests are answered at once
    other = client_of(app)
    started = time.perf_counter()
    geometry = other.get("/geo/oblasts.geojson")
    page = other.get("/")
    answered = time.perf_counter() - started
    assert geometry.status_code == 200
    assert page.status_code == 200
    assert runner.get(job_id, owner).state == jobs.RUNNING, "the deck finished first"
    assert answered < 5
    # someone else can neither follow its progress nor fetch its file
    assert "export-job-download" not in job_callback(app, other, job=job_id)
    assert other.get(f"/export/job/{job_id}").status_code == 404
    # its progress, in Russian, slide by slide
    seen = []
    while True:
        time.sleep(0.3)
        response = job_callback(app, official, job=job_id, search="?lang=ru")
        seen.append(text_of(response["export-job-status"]["children"]))
        if response["export-job-poll"]["disabled"]:
            break
    places = geography.programme_municipalities(ctx.engine, Filters(), Scope({TALAS}))
    total = len(deck.FIXED_SLIDES) + len(places)
    assert len(places) == 4
    assert total == 10
    assert any(f"из {total}" in text and "слайд" in text.lower() for text in seen), seen
    name, data = downloaded(response)
    assert name == "aimak-deck.pptx"
    assert "aimak-deck.pptx" in seen[-1]
    slides = list(Presentation(io.BytesIO(data)).slides)
    assert len(slides) == total  # the official's oblast only: the scope went along
    t = Translator("ru")
    titles = [slide.shapes.title.text_frame.text for slide in slides]
    assert titles[3:7] == [t.name(row) for _, row in places.iterrows()]
    # the same file again, from the link, for its owner
    again = official.get(f"/export/job/{job_id}")
    assert again.status_code == 200
    assert again.data == data
    assert again.headers["Content-Disposition"] == 'attachment; filename="aimak-deck.pptx"'


def test_a_kyrgyz_municipality_report_job_from_the_profile(app):
    visitor = client_of(app)
    _job, seen, response = run_job(
        app, visitor, "municipality-report", f"/municipality/{SUMBULA}", "?lang=ky"
    )
    name, data = downloaded(response)
    assert name == f"aimak-{SUMBULA}.pdf"
    assert data.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Сумбула" in text
    assert all(letter in text for letter in "ңөү")
    assert any("түзүлүүдө" in text or "жайгаштырылууда" in text for text in seen), seen


def test_an_oblast_report_job_counts_its_sections(app):
    visitor = client_of(app)
    _job, seen, response = run_job(app, visitor, "oblast-report", "/", f"?oblast={TALAS}")
    name, data = downloaded(response)
    assert name == f"aimak-{TALAS}.pdf"
    assert len(PdfReader(io.BytesIO(data)).pages) >= 5
    assert any("section" in text and "of 5" in text for text in seen), seen  # 1 + 4 places


def test_a_report_outside_the_scope_fails_and_says_so(app):
    official = client_of(app, "demo-talas")
    _job, seen, response = run_job(
        app, official, "municipality-report", f"/municipality/{SUMBULA}", "?lang=ru"
    )
    assert "export-job-download" not in response
    assert response["export-job"]["data"] is None
    assert "Нечего экспортировать" in seen[-1]


def test_a_forgotten_job_says_it_is_no_longer_available(app):
    response = job_callback(app, client_of(app), job="no-such-job")
    assert response["export-job-poll"]["disabled"] is True
    assert "no longer available" in text_of(response["export-job-status"]["children"])


def test_renders_from_several_threads_each_get_their_own_image(app):
    """kaleido's server answers in turn on shared queues: renders must not swap results."""
    from PIL import Image

    figure = {"data": [{"type": "bar", "x": [1, 2], "y": [3, 1]}], "layout": {}}
    images.start_renderer()
    sizes, found = [(300 + 40 * i, 200 + 10 * i) for i in range(6)], {}

    def render(size):
        found[size] = Image.open(io.BytesIO(images.render(figure, "png", *size))).size

    threads = [threading.Thread(target=render, args=(size,)) for size in sizes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert found == {size: size for size in sizes}
