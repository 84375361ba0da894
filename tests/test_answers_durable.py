"""Written answers are durable and exported: kill -9 of a real hub then --resume; CSV, JSON and HTML."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import signal
import sqlite3
import subprocess
import sys

from coproterm.commands.sessions import render, render_tables
from coproterm.core.client_messages import Answer, Moderate
from coproterm.core.events import Answered, Commanded, Joined, Moderated, Voted
from coproterm.core.hub_messages import Ack, Answers, YourAnswers
from coproterm.server.store import read_log
from tests.hubkit import join, start_serve
from tests.storekit import logged_session, release_before_session

WHAT = 0
WELSH = "Rhannu grym: ŵ ŷ â ê î ô û"


async def test_answers_edits_and_hides_come_back_after_kill_9_and_resume(tmp_path):
    from coproterm.core.client_messages import Hello

    served = await start_serve(data=tmp_path)
    url, token = served.url, served.token
    host = await join(url, Hello(host_token=token))
    ann = await join(url, Hello(name="Ann"))
    bob = await join(url, Hello(name="Bob"))
    assert await ann.request(lambda s: Answer(s, WHAT, 0, "first thoughts")) == Ack(ann.seq)
    assert await ann.request(lambda s: Answer(s, WHAT, 0, WELSH)) == Ack(ann.seq)
    assert await ann.request(lambda s: Answer(s, WHAT, 1, "gone soon")) == Ack(ann.seq)
    assert await ann.request(lambda s: Answer(s, WHAT, 1, None)) == Ack(ann.seq)
    assert await bob.request(lambda s: Answer(s, WHAT, 0, "=rude words")) == Ack(bob.seq)
    assert await host.request(lambda s: Moderate(s, WHAT, 3, True)) == Ack(host.seq)
    await served.stop(signal.SIGKILL)

    port = served.port
    served = await start_serve("--resume", data=tmp_path, port=port)
    try:
        again = await join(url, Hello(resume=ann.welcome.resume))
        mine = await again.recv()
        assert mine == YourAnswers(WHAT, ((0, WELSH),))
        watcher = await join(url, Hello(host_token=token))
        async with asyncio.timeout(5):
            while not isinstance(message := await watcher.recv(), Answers):
                pass
        assert message.fresh and message.total == 2
        assert {(i.id, i.text, i.hidden) for i in message.items if i.text is not None} == {
            (1, WELSH, False),
            (3, "=rude words", True),
        }
    finally:
        await served.stop()


ANSWERS = [
    Joined(1, b"a" * 16, "=Ann"),
    Joined(2, b"b" * 16, "Bob"),
    Answered(1, WHAT, 0, 1, '=HYPERLINK("http://evil.example","click")'),
    Answered(1, WHAT, 1, 2, "<script>alert(1)</script> power sharing"),
    Answered(2, WHAT, 0, 3, "@SUM(A1) power"),
    Answered(2, WHAT, 1, 4, "+hidden secret"),
    Moderated(WHAT, 4, True),
    Answered(2, WHAT, 2, 5, "taken back"),
    Answered(2, WHAT, 2, 5, None),
]


def rows(tables):
    """The answers table of a CSV export (file name to text)."""
    return list(csv.DictReader(io.StringIO(tables["answers.csv"])))


def test_csv_has_one_row_per_answer_with_formulas_neutralised_and_hidden_ones_only_when_asked(tmp_path):
    path = logged_session(tmp_path, ANSWERS)
    plain = rows(render_tables(path, quiet=True))
    assert [r["answer"] for r in plain] == [
        '\'=HYPERLINK("http://evil.example","click")',
        "<script>alert(1)</script> power sharing",
        "'@SUM(A1) power",
    ]
    assert {r["hidden"] for r in plain} == {"no"} and all(r["written"] and r["question"] == "1" for r in plain)
    assert {r["participant"] for r in plain} == {"1", "2"} and all("name" not in r for r in plain)
    every = rows(render_tables(path, with_hidden=True, with_names=True, quiet=True))
    assert ("'+hidden secret", "yes") in {(r["answer"], r["hidden"]) for r in every}
    assert "'=Ann" in {r["name"] for r in every}, "names are neutralised too"


def test_json_lists_answers_and_words_without_hidden_ones_unless_asked(tmp_path):
    path = logged_session(tmp_path, ANSWERS)
    question = json.loads(render(path, "json", quiet=True))["questions"][WHAT]
    assert question["kind"] == "text" and len(question["answers"]) == 3
    assert {"word": "power", "count": 2} in question["words"]
    assert all(w["word"] not in ("secret", "hidden") for w in question["words"]), "hidden answers are never counted"
    every = json.loads(render(path, "json", with_hidden=True, quiet=True))["questions"][WHAT]
    assert [a["hidden"] for a in every["answers"]] == [False, False, False, True]


def test_the_html_report_escapes_answers_and_charts_their_words(tmp_path):
    path = logged_session(tmp_path, ANSWERS)
    html = render(path, "html", quiet=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "The words used most" in html and ">power</th>" in html
    assert "hidden secret" not in html and "taken back" not in html
    assert "hidden secret" in render(path, "html", with_hidden=True, quiet=True)


def test_the_export_command_takes_with_hidden(tmp_path):
    path = logged_session(tmp_path, ANSWERS)
    out = tmp_path / "out-csv"
    command = [sys.executable, "-m", "coproterm", "export", path.stem, "--format", "csv", "--with-hidden"]
    result = subprocess.run(
        [*command, "-o", str(out), "--data-dir", str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "'+hidden secret" in (out / "answers.csv").read_text(encoding="utf-8-sig")


def test_a_log_from_before_written_answers_still_reads(tmp_path):
    path = release_before_session(tmp_path)  # the layout before the events table, as a release before answers left it
    with sqlite3.connect(path) as db:
        for table in ("answer_log", "agreement_log", "timer_log", "added_log", "language_log"):
            db.execute(f"DROP TABLE {table}")
    log = read_log(path)
    assert {type(e.event) for e in log.entries} == {Joined, Voted, Commanded} and not log.flaws
    assert len(rows(render_tables(path, quiet=True))) == 0 and "votes.csv" in render_tables(path, quiet=True)


def test_a_damaged_answer_row_is_left_out_and_named(tmp_path):
    path = logged_session(tmp_path, ANSWERS[:3])
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO events (at, kind, answer, fields) VALUES (1, 'answered', 7, ?)",
            (json.dumps({"participant": 9, "question": 0, "slot": 0, "answer": 7, "text": "who?"}),),
        )
        db.execute(
            "INSERT INTO events (at, kind, answer, fields) VALUES (1, 'hidden', 99, ?)",
            (json.dumps({"question": 0, "answer": 99}),),
        )
    tables = render_tables(path, quiet=True)
    assert "who?" not in tables["answers.csv"] and len(rows(tables)) == 1
