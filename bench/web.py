"""The phone page's figures: its size, its first render on a slow link, a web participant's workshop hour.

    python -m bench.web [--runs 3] [--scale 180] [--screenshots]

Prints one table. A real hub in a process of its own (bench.hubproc), the system's
Chromium driven by Playwright. The slow link is Chromium's own network emulation
(DevTools protocol: 400 kbit/s each way, 400 ms of added round trip), on a fresh
browser context each run so nothing is cached. The workshop hour is played ``scale``
times faster (the hub's fan-out intervals and pings scaled to match), the whole
workshop as in bench/figures.py's terminal workshop, with this one phone voting on
each question or writing an answer, and marking the 29 others' answers in one agreement round; its
bytes are read from the kernel (``ss -tin``: payload and segments of the page's
websocket, plus 52 bytes of IPv4 and TCP headers a segment) and added to the
page's own load (the response's bytes on the wire as Chromium counts them, the
request's headers, and the same 52 bytes a segment for that connection).
``--screenshots`` also writes the page at 390 px wide into docs/.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import math
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import msgpack
from playwright.async_api import Page, expect

from bench.figures import agreement_question
from bench.loadgen import HEADER, HubProcess
from coproterm.core.client_messages import Answer, Command, Hello
from coproterm.core.wire_terms import Action
from coproterm.server.web import Page as WebPage
from tests.hubkit import Peer, join
from tests.webkit import chromium, phone

ROOT = Path(__file__).resolve().parent.parent
BUDGET_PAGE = 20 * 1024
BUDGET_RENDER = 2.0
BUDGET_HOUR = 50 * 1024
SLOW = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
MSS = 1448


def page_size() -> tuple[int, int]:
    page = WebPage.load()
    return len(page.html), len(page.gzipped)


async def _slow(page: Page) -> None:
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send("Network.emulateNetworkConditions", SLOW)


async def first_render(url: str) -> dict[str, float]:
    """On the slow link: first paint, the join form usable, and joined (the socket's welcome shown)."""
    async with chromium() as browser, phone(browser) as page:
        await _slow(page)
        start = time.perf_counter()
        await page.goto(url, wait_until="commit")
        await expect(page.get_by_role("button", name="Join")).to_be_visible(timeout=30_000)
        form = time.perf_counter() - start
        paint = await page.evaluate(
            "() => (performance.getEntriesByName('first-contentful-paint')[0] || {startTime: NaN}).startTime"
        )
        tapped = time.perf_counter()
        await page.get_by_role("button", name="Join").tap()
        await expect(page.locator("#link")).to_have_text("Connected", timeout=30_000)
        joined = time.perf_counter() - tapped
    return {"paint": paint / 1000, "form": form, "joined": joined}


def _socket_bytes(port: int) -> tuple[int, int]:
    """Bytes both ways on Chromium's sockets to the hub (payload + 52 B a segment), from the kernel; and the segments."""
    out = subprocess.run(
        ["ss", "-tinpH", "state", "established", "dst", f"127.0.0.1:{port}"], capture_output=True, text=True, check=True
    ).stdout
    total = segments = 0
    for line in re.split(r"\n(?=\S)", out.strip()):
        if "chrom" not in line:
            continue

        def number(name: str, text: str = line) -> int:
            found = re.search(rf"\b{name}:(\d+)", text)
            return int(found.group(1)) if found else 0

        total += number("bytes_sent") + number("bytes_received")
        total += HEADER * (number("segs_in") + number("segs_out"))
        segments += number("segs_in") + number("segs_out")
    return total, segments


async def workshop_hour(scale: float) -> dict[str, float]:
    """One phone through the hour-long workshop (bench.hubproc's, as a terminal participant's is measured),
    played ``scale`` times faster: it answers every question it can, as a person would."""
    with HubProcess("hub", scale=scale, workshop=True) as hub:
        async with chromium() as browser, phone(browser) as page:
            cdp = await page.context.new_cdp_session(page)
            await cdp.send("Network.enable")
            loads: dict[str, float] = {}
            cdp.on("Network.loadingFinished", lambda e: loads.update({e["requestId"]: e["encodedDataLength"]}))
            requests: list[int] = []
            frames: dict[str, list[int]] = {}
            cdp.on("Network.webSocketFrameReceived", lambda e: _count(frames, "in", e["response"]))
            cdp.on("Network.webSocketFrameSent", lambda e: _count(frames, "out", e["response"]))
            cdp.on(
                "Network.requestWillBeSentExtraInfo",
                lambda e: requests.append(sum(len(k) + len(v) + 4 for k, v in e["headers"].items()) + 30),
            )
            # The rest of the room joins before the phone does: their joining is not the phone's hour.
            others = [await join(hub.url, Hello(name=f"o{index}", language="en")) for index in range(OTHERS)]
            await page.goto(f"http://127.0.0.1:{hub.port}/")
            await page.get_by_role("button", name="Join").tap()
            await expect(page.locator("#link")).to_have_text("Connected")
            page_bytes = sum(loads.values()) + sum(requests[:1])
            segments = 2 * math.ceil(page_bytes / MSS) + 7  # data and their acks; handshake and close
            page_wire = page_bytes + HEADER * segments
            host: Peer = await join(hub.url, Hello(host_token=hub.token))
            questions = host.welcome.deck["questions"]
            step = 3600 / scale / len(questions)
            agreeing = agreement_question(host.welcome.deck)
            marked = 0
            for number, question in enumerate(questions):
                await host.request(lambda s, q=number: Command(s, Action.GOTO, q))
                await expect(page.locator("#step")).to_have_text(f"Question {number + 1} of {len(questions)}")
                await asyncio.sleep(step * 0.1)
                began = time.perf_counter()
                await _answer(page, question, changes=number % 3 == 0)  # three in ten change their mind
                if number == agreeing:
                    marked = await _agreement_round(page, host, others, number)
                # The question's time includes what was done on it: the hour stays an hour (its pings included).
                spent = time.perf_counter() - began
                if spent > step * 4 / 6 - step * 0.2:
                    print(
                        f"question {number + 1} took {spent * scale / 60:.1f} min of the hour's time", file=sys.stderr
                    )
                await asyncio.sleep(max(0.0, step * 4 / 6 - step * 0.2 - spent))
                await host.request(lambda s, q=number: Command(s, Action.LOCK, q))
                await host.request(lambda s, q=number: Command(s, Action.REVEAL, q))
                await asyncio.sleep(step * 2 / 6)
            socket_wire, segments_count = _socket_bytes(hub.port)
            await host.socket.close()
            for other in others:
                await other.socket.close()
    _breakdown(frames, segments_count)
    return {"page": page_wire, "socket": socket_wire, "hour": page_wire + socket_wire, "marked": marked}


def _count(frames: dict[str, list[int]], way: str, response: dict) -> None:  # type: ignore[type-arg]
    """One websocket data frame the phone sent or received, counted by message type (its payload's bytes)."""
    payload = base64.b64decode(response["payloadData"]) if response.get("opcode") == 2 else b""
    try:
        kind = msgpack.unpackb(payload)[0] if payload else "text"
    except (ValueError, IndexError, TypeError, msgpack.ExtraData):
        kind = "unread"
    frames.setdefault(f"{way} {kind}", [0, 0])
    frames[f"{way} {kind}"][0] += 1
    frames[f"{way} {kind}"][1] += len(payload)


def _breakdown(frames: dict[str, list[int]], segments_count: int) -> None:
    """Where the socket's bytes went: each message type's frames and payload (as sent, before any deflate), and the
    TCP/IP headers of every segment (pings, pongs and the websocket's own headers are the rest)."""
    print("the socket by message type (way type: frames, payload bytes before deflate):", file=sys.stderr)
    for key, (count, size) in sorted(frames.items(), key=lambda item: -item[1][1]):
        print(f"  {key}: {count} frames, {size:,} B", file=sys.stderr)
    print(f"  TCP/IP headers: {segments_count} segments, {HEADER * segments_count:,} B", file=sys.stderr)


OTHERS = 29
"""The rest of the room, whose answers the phone is offered to mark (as in a workshop of 30)."""


async def _agreement_round(page: Page, host: Peer, others: list[Peer], question: int) -> int:
    """The room's answers open for agreement: the others write theirs (raw clients), the phone marks every one
    as fast as the browser lets it, and the round closes. Returns how many the phone marked."""
    await asyncio.gather(
        *(
            other.request(lambda s, i=index: Answer(s, question, 0, f"Rhannu grym a chyfrifoldeb {i}"))
            for index, other in enumerate(others)
        )
    )
    await host.request(lambda s: Command(s, Action.AGREE, question))
    buttons = ("Agree", "Agree", "Disagree", "Pass")
    marked = 0
    hint = page.locator("#agree-hint")
    while marked < OTHERS:
        await expect(hint).to_contain_text(f"{OTHERS - marked} answer")
        await page.get_by_role("button", name=buttons[marked % 4], exact=True).tap()
        marked += 1
    await expect(page.locator("section.agreement")).to_contain_text("You have marked every answer so far.")
    await host.request(lambda s: Command(s, Action.END_AGREE, question))
    return marked


async def _answer(page: Page, question: dict, *, changes: bool) -> None:
    """What one person does on a question: a vote (two on a choose-several), an answer, or nothing to do."""
    if question.get("answers") == "text":
        await page.get_by_label("Your answer 1").fill("Sharing power and responsibility")
        await page.get_by_role("button", name="Send").tap()
        await expect(page.locator("#status")).to_contain_text("Your answer is in")
        return
    if "board" not in question:
        return
    cells = ["c0", "c1"] if question.get("pick", 1) > 1 else ["c1"]
    for cell in cells:
        await page.locator(f'[data-id="{cell}"]').tap()
        await expect(page.locator("#status")).to_contain_text("Your vote is counted")
    if changes:
        await asyncio.sleep(0.05)
        await page.locator('[data-id="c2"]').tap()


async def screenshots(url: str, token: str) -> list[Path]:
    """The page at 390 px: the join form, the spectrum with a vote, the grid, results revealed."""
    written = []
    async with chromium() as browser, phone(browser) as page:
        host = await join(url.replace("http://", "ws://").split("/?")[0].rstrip("/"), Hello(host_token=token))
        boards = [q.get("board") for q in host.welcome.deck["questions"]]
        spectrum = boards.index("spectrum")
        grid = next(i for i, b in enumerate(boards) if isinstance(b, (list, tuple)))

        async def shot(name: str) -> None:
            path = ROOT / "docs" / f"phone-{name}.png"
            await page.screenshot(path=str(path), full_page=name != "join")
            written.append(path)

        await page.goto(url + "?code=KXPT")  # as the QR code opens it (this hub asks for no code)
        await page.get_by_label("Your name (optional)").fill("Rhian")
        await shot("join")
        await page.get_by_role("button", name="Join").tap()
        await host.request(lambda s: Command(s, Action.GOTO, spectrum))
        await page.locator('[data-id="c3"]').tap()
        await expect(page.locator("#status")).to_contain_text("counted")
        await shot("spectrum")
        await host.request(lambda s: Command(s, Action.LOCK, spectrum))
        await host.request(lambda s: Command(s, Action.REVEAL, spectrum))
        await expect(page.get_by_role("region", name="Results")).to_be_visible()
        await page.get_by_role("region", name="Results").scroll_into_view_if_needed()
        await shot("results")
        await host.request(lambda s: Command(s, Action.GOTO, grid))
        await page.locator('[data-id="c15"]').tap()
        await expect(page.locator("#status")).to_contain_text("counted")
        await shot("grid")
    return written


def measure(runs: int, scale: float, shots: bool = False) -> dict[str, float]:
    """Every figure of the phone page: medians of ``runs``."""
    raw, gzipped = page_size()
    renders = []
    with HubProcess("hub") as hub:
        url = f"http://127.0.0.1:{hub.port}/"
        for _ in range(runs):
            renders.append(asyncio.run(first_render(url)))
        if shots:
            for path in asyncio.run(screenshots(url, hub.token)):
                print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)
    hours = [asyncio.run(workshop_hour(scale)) for _ in range(runs)]
    figures = {"raw": raw, "gzipped": gzipped}
    for key in ("paint", "form", "joined"):
        figures[key] = statistics.median(row[key] for row in renders)
    for key in ("page", "socket", "hour", "marked"):
        figures[key] = statistics.median(row[key] for row in hours)
    return figures


def rows(f: dict[str, float]) -> list[tuple[str, str, str, bool | None]]:
    """The figures as report rows: name, value, target, met (None: no target)."""
    return [
        (
            "8. phone page on the wire (gzip); unpacked",
            f"{f['gzipped']:,.0f} B; {f['raw']:,.0f} B",
            "<= 20 KB",
            f["gzipped"] <= BUDGET_PAGE,
        ),
        ("   at 400 kbit/s, 400 ms RTT: first contentful paint", f"{f['paint']:.2f} s", "", None),
        ("   the join form usable", f"{f['form']:.2f} s", "<= 2 s", f["form"] <= BUDGET_RENDER),
        ("   joined (tap to the question shown)", f"{f['joined']:.2f} s", "", None),
        (
            "   a web participant's workshop hour (page included)",
            f"{f['hour'] / 1024:.1f} KB",
            "<= 50 KB",
            f["hour"] <= BUDGET_HOUR,
        ),
        ("   of which the page; the socket", f"{f['page'] / 1024:.1f} KB; {f['socket'] / 1024:.1f} KB", "", None),
        ("   of which an agreement round: answers the phone marked", f"{f['marked']:.0f}", "", None),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=float, default=180)
    parser.add_argument("--screenshots", action="store_true")
    args = parser.parse_args()
    figures = measure(args.runs, args.scale, args.screenshots)
    print(f"The phone page (median of {args.runs} runs; workshop played {args.scale:g} times faster)\n")
    print("| figure | measured | target | |\n|---|---|---|---|")
    for name, value, target, met in rows(figures):
        print(f"| {name.strip()} | {value} | {target} | {'' if met is None else 'met' if met else 'MISSED'} |")


if __name__ == "__main__":
    main()
