"""Every performance figure of coproterm, measured side by side: `bench/run_all`.

Prints a table and writes it, with the machine and the command, to
docs/performance.md. Comparisons are made within one run and each figure is the
median of several runs (the machine is shared and noisy). The hub always runs in
a process of its own and the load in others.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

from bench.figures import INGEST_SECONDS, client_start, ingest, latency, memory, storm, workshop
from bench.loadgen import HEADER, ROOT

T = TypeVar("T")
BEGIN, END = "<!-- bench/run_all writes from here -->", "<!-- to here -->"
VENDOR = "1.5 to 5 MB per attendee per hour, at least 30 kbps each (a hosted audience-response tool's own figures)"


# -- the report ------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs per comparison (medians are reported)")
    parser.add_argument(
        "--scale",
        type=float,
        default=180.0,
        help="how much faster than real time to play the workshop",
    )
    parser.add_argument("--no-write", action="store_true", help="print only; do not rewrite docs/performance.md")
    args = parser.parse_args()
    began = time.time()
    rows: list[tuple[str, str, str, str]] = []

    def row(name: str, value: str, target: str, met: bool | None) -> None:
        verdict = "" if met is None else ("met" if met else "MISSED")
        rows.append((name, value, target, verdict))
        print(f"{name:58} {value:>26}  {target:>16}  {verdict}", flush=True)

    print(f"{'figure':58} {'measured (median)':>26}  {'target':>16}")
    sections: dict[str, float] = {}

    def timed(name: str, measure: Callable[..., T], *arguments: object) -> T:
        started = time.time()
        result = measure(*arguments)
        sections[name] = time.time() - started
        return result

    from bench.e2e import key_to_screen, percentiles, wire_quiet_room

    wire50, wire99 = percentiles(timed("end to end", wire_quiet_room, 120))
    row("0. quiet room of 30: a vote to the host's tally frame, p50", f"{wire50:.1f} ms", "<= 5 ms", wire50 <= 5)
    row("   p99", f"{wire99:.1f} ms", "<= 20 ms", wire99 <= 20)
    key50, key99 = percentiles(key_to_screen(30, 30))
    row("   a key press in `join` to the host's screen (ptys), p50", f"{key50:.1f} ms", "<= 50 ms", key50 <= 50)
    row("   p99", f"{key99:.1f} ms", "", None)
    big50, big99 = percentiles(key_to_screen(1000, 20))
    row("   the same with 1,000 at 200 votes/s: p50", f"{big50:.1f} ms", "", None)
    row("   p99", f"{big99:.1f} ms", "", None)
    ssh50, ssh99 = percentiles(key_to_screen(30, 30, over_ssh=True))
    row("   a key press over SSH (`ssh -tt`) to the host's screen, p50", f"{ssh50:.1f} ms", "", None)
    row("   p99", f"{ssh99:.1f} ms", "", None)
    i = timed("ingest", ingest, args.runs)
    row("1. ingest, 500 flooding: bare websockets server", f"{i['bare']:,.0f} votes/s", "", None)
    row("   coproterm hub (no log)", f"{i['hub']:,.0f} votes/s", "", None)
    row("   hub / bare", f"{i['ratio']:.2f}", ">= 0.5", i["ratio"] >= 0.5)
    row("   coproterm hub with its log (SQLite, fsync'd)", f"{i['log']:,.0f} votes/s", "", None)
    row("   with log / without", f"{i['log_ratio']:.2f}", ">= 0.5 (2x)", i["log_ratio"] >= 0.5)
    lat = timed("latency", latency, args.runs)
    row(
        f"2. latency, 1,000 connected, 200 votes/s: p50 ({lat['n']} probes)",
        f"{lat['p50']:.1f} ms",
        "",
        None,
    )
    row("   p99", f"{lat['p99']:.1f} ms", "<= 100 ms", lat["p99"] <= 100)
    s = timed("storm", storm, args.runs)
    row(
        "3. storm, 1,000 revealed, ~1,000 votes/s: fan-out frames",
        f"{s['frames']:.1f} /s each",
        "<= 10 /s",
        s["frames"] <= 10,
    )
    row(
        "   fan-out bytes (websocket frames)",
        f"{s['bytes']:.0f} B/s each",
        "<= 1 KB/s",
        s["bytes"] <= 1024,
    )
    row("   (acks of their own votes, besides)", f"{s['acks']:.1f} /s each", "", None)
    w = timed("workshop", workshop, args.scale, args.runs)
    total = w["received"] + w["sent"]
    row(
        "4. one-hour workshop, 30 people: received (TCP/IP incl.)",
        f"{w['received'] / 1024:.1f} KB each",
        "",
        None,
    )
    row("   sent (TCP/IP incl.)", f"{w['sent'] / 1024:.1f} KB each", "", None)
    row("   in all", f"{total / 1024:.1f} KB each", "<= 50 KB", total <= 50 * 1024)
    row(
        "   of which payload received; segments",
        f"{w['payload_in'] / 1024:.1f} KB; {w['segments']:.0f}",
        "",
        None,
    )
    row(
        "   of which one agreement round: answers offered to mark; their frames",
        f"{w['to_mark']:.1f}; {w['to_mark_bytes'] / 1024:.2f} KB each",
        "",
        None,
    )
    memory_per = timed("memory", memory, args.runs, 1000, 2000)
    m1, m2 = memory_per[1000], memory_per[2000]
    row("5. hub memory per participant, 1,000 connected", f"{m1:.1f} KiB", "<= 30 KB", m1 <= 30)
    row("   2,000 connected", f"{m2:.1f} KiB", "<= 30 KB", m2 <= 30)
    c = timed("client start", client_start, args.runs)
    row(
        "6. `coproterm join` first paint (pty, 80 x 24)",
        f"{c['seconds']:.2f} s",
        "<= 0.6 s",
        c["seconds"] <= 0.6,
    )
    row("   its RSS at first paint", f"{c['rss_mib']:.0f} MiB", "", None)
    from bench.ssh_sessions import STEPS as SSH_STEPS  # asyncssh: not imported by every load worker
    from bench.ssh_sessions import measure as ssh_measure

    figures = timed("SSH", lambda: asyncio.run(ssh_measure(50, 200)))
    for count in (50, 200):
        size = figures[f"rss_per_session_kib_{count}"] / 1024
        name = "7. SSH: hub memory per SSH participant, 50 sessions" if count == 50 else f"   {count} sessions"
        row(name, f"{size:.2f} MiB", "<= 2 MB", size <= 2)
    row("   first paint at 80 x 24 (bytes to the client)", f"{figures['first_paint_bytes']:,.0f} B", "", None)
    for label, kind in SSH_STEPS.items():
        value = f"{figures[f'{kind}_bytes']:,.0f} B; {figures[f'cpu_ms_per_{kind}']:.0f} ms"
        row(f"   {label}: bytes; hub CPU", value, "", None)
    row("   casting one's own vote: bytes", f"{figures['own_vote_bytes']:,.0f} B", "", None)
    from bench.ssh_hour import PEOPLE
    from bench.ssh_hour import play as ssh_hour

    hour = timed("SSH hour", lambda: asyncio.run(ssh_hour(60.0)))
    row(
        f"   an SSH workshop-hour per participant, played ({PEOPLE} people)",
        f"{hour['kb_median']:.0f} KB (most {hour['kb_max']:.0f})",
        "<= 100 KB",
        hour["kb_median"] <= 100,
    )
    row(
        "   of which one agreement round: marks (every participant marks every other answer)",
        f"{hour['marks']:.0f} by {hour['markers']:.0f} people",
        "",
        None,
    )
    from bench.plain_hour import PEOPLE as PLAIN_PEOPLE
    from bench.plain_hour import TARGET_KB
    from bench.plain_hour import play as plain_hour

    plain = timed("plain SSH hour", lambda: asyncio.run(plain_hour(60.0, PLAIN_PEOPLE)))
    row(
        f"   a plain-mode SSH workshop-hour per participant, played ({PLAIN_PEOPLE} people, TERM=dumb)",
        f"{plain['kb_median']:.0f} KB (most {plain['kb_max']:.0f}; joining {plain['joining_kb']:.0f})",
        f"< {TARGET_KB:g} KB",
        float(plain["kb_median"]) < TARGET_KB,  # type: ignore[arg-type]
    )
    from bench.ssh_sessions import KINDS, room

    for count in (0, 50, 200):
        r = timed(f"SSH room {count}", lambda n=count: asyncio.run(room(n)))
        row(f"   {count} SSH viewers, question changes: a vote's ack p99", f"{r['changes_p99_ms']:.1f} ms", "<= 100 ms",
            r["changes_p99_ms"] <= 100)  # fmt: skip
        row("      a vote to the host's tally, p99", f"{r['host_p99_ms']:.1f} ms", "<= 100 ms", r["host_p99_ms"] <= 100)
        if count:
            slowest = " / ".join(f"{r.get(key, 0.0):.1f}" for key in KINDS)
            row("      every SSH screen shows the new question, slowest: a scale / the grid / an open answer",
                f"{slowest} s", "<= 2 s" if count == 200 else "",
                r["all_screens_s_max"] <= 2 if count == 200 else None)  # fmt: skip
    from bench.web import measure as web_measure  # Playwright: only for this section
    from bench.web import rows as web_rows

    for name, value, target, met in web_rows(timed("phone page", web_measure, args.runs, args.scale)):
        row(name, value, target, met)
    elapsed = time.time() - began
    spent = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in sections.items())
    print(f"\n{elapsed:.0f} s in all: {spent}")
    if not args.no_write:
        _write(rows, args, elapsed, spent)


def _write(
    rows: list[tuple[str, str, str, str]],
    args: argparse.Namespace,
    elapsed: float,
    spent: str,
) -> None:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_total = next(
        line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    versions = subprocess.run(
        [sys.executable, "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True
    ).stdout
    wanted = [
        line
        for line in versions.splitlines()
        if line.split("==")[0].lower() in {"textual", "websockets", "msgpack", "rich"}
    ]
    table = "\n".join(f"| {n.strip()} | {v} | {t} | {m} |" for n, v, t, m in rows)
    text = f"""# Performance

## Every figure of the suite

Measured by `bench/run_all` (`python -m bench.suite --runs {args.runs} --scale {args.scale:g}`) on
{date.today():%d %B %Y}, in {elapsed:.0f} s ({spent}). Each comparison is made within one run; each figure
is the median of {args.runs} runs (each with its own random seed), but for two: the latency
percentiles are taken over the probes of all {args.runs} runs together, and the SSH figures come
from one pass (opening 200 SSH sessions takes half a minute; its byte counts came out identical
from pass to pass while this suite was built, its memory within 3%). The hub runs in a process of its own, the simulated
participants in up to four others, all on this one machine over loopback.

**Machine**: {os.cpu_count()} cores ({cpu}), {int(memory_total) // 1024**2} GiB, {platform.system()} {platform.release()},
Python {platform.python_version()}; {", ".join(wanted)}.

| figure | measured | target | |
|---|---|---|---|
{table}

## How each is measured

1. **Ingest**: 500 participants, each sending its next vote as soon as the last is
   acknowledged, for {INGEST_SECONDS:g} s after half a second of warm-up. The *bare* server is the yardstick: a
   websockets server with the hub's settings that decodes nothing and answers every
   frame with a canned ack. *With log* is the real hub writing every vote to its
   SQLite log (WAL, `synchronous=FULL`, group commit) before acknowledging it. On two
   cores the load generator competes with the hub, so the absolute rates understate
   what a hub alone could take; the ratios are the point.
2. **Latency**: 1,000 connected participants cast 200 votes/s in all (Poisson) for 8 s; a
   probe toggles a vote on the one cell nobody else uses and times, from its send, how long
   until the host's tally shows it. The host's fan-out runs every 50 ms, so a vote waits
   25 ms for it on average; probes are spaced 50 to 150 ms apart at random so that they
   sample the whole cycle (a fixed spacing can lock onto its phase and flatter the figure).
3. **Storm**: 1,000 participants with results revealed, each changing their vote about
   once a second. Fan-out frames are State, Tally and Turnout updates, counted at each
   participant with their websocket header; the acks of their own votes are counted apart.
4. **Workshop**: ten questions in an hour (4 minutes of voting, then lock, reveal and 2
   minutes of talk), 30 participants who read, vote after 5 to 60 s and change their mind
   three times in ten, played {args.scale:g} times faster with the hub's fan-out intervals and
   pings scaled to match. Bytes are read from the kernel (`TCP_INFO`: payload bytes and
   segment counts of each participant's socket, ACK-only segments included) plus
   {HEADER} bytes of IPv4 and TCP headers per segment. For comparison, {VENDOR}.
5. **Memory**: growth of the hub's RSS from one host connected to N participants
   connected and idle, divided by N.
6. **Client start**: `coproterm join` started in a pseudo-terminal of 80 x 24; time until
   the first question's prompt is on the screen, and the process's RSS at that moment.
7. **SSH**: N real SSH sessions with a pty (asyncssh as the client, in the benchmark's
   process; the hub and its gateway in their own), each running the participant app
   in the gateway's worker processes. Memory is the RSS growth of the hub and its workers
   together over N, all on the opening screen. Then 150 sessions close and, for each change below, the other 50 are
   measured (each waits until every screen shows the change and has gone quiet): the
   bytes each client received (median) and the CPU time of the hub and its workers per viewer (one sample
   of 50: it varies up to twofold from pass to pass; the bytes do not). The steps,
   in order: the deck's first board after its opening discussion; results revealed;
   a tally update while they show (five votes by someone else, 0.6 s apart); one
   viewer casting a vote; a step from that board to the next (the board and chart are
   reused, not rebuilt). The first paint is the median over all 200. The bytes are
   what the SSH client receives (SSH framing and encryption included, TCP/IP headers
   not). The hour is played (`bench/ssh_hour.py`): 30 real SSH sessions with an 80 x 24
   pty watch all 14 questions of the built-in workshop at a workshop's pace, played 60
   times faster, answering as the workshop figure's people do; bytes both ways from the
   kernel (`TCP_INFO`) with 52 bytes a segment, plus the hour's TCP keepalives at their
   most. The plain-mode hour (`bench/plain_hour.py`) is played the same way by 10 SSH
   sessions with TERM=dumb, each also typing `results` after each reveal; joining (the
   SSH handshake and the first question) is counted in it. The room (`bench/ssh_sessions.py --room`): 0, 50 and 200 SSH participants
   viewing through the hub's default gateway workers (one per core up to four, below
   the hub's priority) while the host changes question six times, to every kind of board (a scale,
   the grid, an open answer, the spectrum between each); a websocket participant votes
   every 100 ms and times its acks, and the host's connection times each of its votes to
   the tally that shows it; for each kind, the slowest change to reach every SSH screen,
   read afterwards off a terminal emulator fed what each screen received, as it arrived.
8. **Phone page** (`bench/web.py`): the page as the hub sends it, and the system's Chromium
   (Playwright) loading it on a fresh context over Chromium's own network emulation, 400 kbit/s
   each way with 400 ms of added round trip: the first contentful paint, the join form
   usable, and from the tap on Join to the first question shown. The hour: one phone
   through the whole built-in workshop (14 questions, as bench/hubproc.py plays it), played
   as fast, voting on each question, two positions on a choose-several, an answer on each
   text question (and changing its mind on a third of the questions); the page's load as Chromium counts it (response with headers, plus
   the request's headers) with 52 bytes a segment, plus its websocket's bytes both ways from
   the kernel (`ss -tin`: payload and segments, 52 bytes a segment).
"""
    path = ROOT / "docs" / "performance.md"
    old = path.read_text() if path.exists() else ""
    # Only the suite's part is rewritten: the sections written by hand before and after it stay.
    begin, end = old.find(BEGIN), old.find(END)
    part = f"{BEGIN}\n{text.split(chr(10), 1)[1].lstrip()}{END}"
    if begin >= 0 and end > begin:
        path.write_text(old[:begin] + part + old[end + len(END) :])
    else:
        path.write_text(f"{text.split(chr(10), 1)[0]}\n\n{part}\n")
    print("wrote docs/performance.md")


if __name__ == "__main__":
    main()
