"""The soak, CI-sized: 300 participants dropping and coming back, and a kill -9 of the hub in the middle,
while an attacker on an address of its own runs every attack of bench/attacks.py in turn.

bench/soak.py runs the same with 1,000 participants for ten minutes.
"""

from __future__ import annotations

from bench.soak import soak


async def test_a_soak_with_crashes_loses_no_acknowledged_vote():
    figures = await soak(300, 75, processes=2)
    assert figures["participants"] == 300
    assert figures["acknowledged_votes"] > 3000, figures
    assert figures["reconnects"] > 300, "people dropped and came back (and everyone did once, after the kill)"
    assert figures["lost"] == 0
    assert figures["probe_acks"] > 100, "an honest participant beside the attacks kept voting"
    assert figures["hub_rss_max_mib"] < 400, figures
