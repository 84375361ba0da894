"""The workshop-hour per participant with the whole built-in workshop: what a participant's link carries.

Plays the built-in deck's 14 questions in an hour (voting, lock, reveal, talk; an answer written on each
open question, and one agreement round on the first, where each marks the others' answers), 30
participants, ``--scale`` times faster than real time, and prints the bytes each
participant received and sent (TCP/IP included), against the 50 KB budget.

    .venv/bin/python -m bench.workshop --scale 120 --runs 1
"""

from __future__ import annotations

import argparse

from bench.figures import workshop
from bench.hubproc import workshop_deck

BUDGET = 50 * 1024
"""Bytes a participant's link may carry in a workshop-hour (issue 17)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=120.0, help="how much faster than real time (default 120)")
    parser.add_argument("--runs", type=int, default=1, help="runs to take the median of (default 1)")
    args = parser.parse_args()
    deck = workshop_deck()
    figures = workshop(args.scale, args.runs)
    total = figures["received"] + figures["sent"]
    print(f"deck: {deck['title']}, {len(deck['questions'])} questions; 30 participants; x{args.scale:g}")
    print(f"received per participant: {figures['received'] / 1024:.1f} KB (TCP/IP included)")
    print(f"sent per participant:     {figures['sent'] / 1024:.1f} KB")
    print(f"frames of votes, answers and marks sent per participant: {figures['votes']:.1f}")
    print(
        f"the agreement round: {figures['to_mark']:.1f} offers (ToMark frames) per participant,"
        f" {figures['to_mark_bytes'] / 1024:.2f} KB of ToMark frames"
    )
    verdict = "within" if total <= BUDGET else "OVER"
    print(f"both ways: {total / 1024:.1f} KB per participant-hour, {verdict} the {BUDGET // 1024} KB budget")


if __name__ == "__main__":
    main()
