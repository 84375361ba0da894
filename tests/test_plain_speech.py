"""Plain mode read aloud: one question's lines, piped through espeak-ng, speak its prompt and choices in order."""

from __future__ import annotations

import asyncio
import re
import wave

from coproterm.core.client_messages import Command
from coproterm.core.wire_terms import Action
from tests.hubkit import join_host, running_hub
from tests.plainkit import Listener, PlainJoin, skip_without, workshop_session

SPECTRUM = 7
IN_ORDER = ("interactions", "coercion", "education", "information", "consultation", "participation", "involvement")
"""A word of the prompt, then a word of each choice, as the question is printed."""


async def espeak(text: str, *options: str) -> bytes:
    """espeak-ng reading ``text`` from its standard input, as a screen reader is piped a terminal's lines."""
    process = await asyncio.create_subprocess_exec(
        skip_without("espeak-ng"),
        "--stdin",
        *options,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(text.encode()), 60)
    assert process.returncode == 0, err
    return out


async def seconds_spoken(text: str, path) -> float:
    await espeak(text, "-w", str(path))
    with wave.open(str(path)) as audio:
        return audio.getnframes() / audio.getframerate()


def sounds(phonemes: str) -> str:
    """espeak-ng's phoneme mnemonics without stress and pause marks (a word's sounds, wherever it stands)."""
    return re.sub(r"[',_:%=]", "", phonemes)


async def one_question_as_printed(tmp_path) -> list[str]:
    async with running_hub(workshop_session()) as hub:
        host = await join_host(hub.url)
        await host.request(lambda seq: Command(seq, Action.GOTO, SPECTRUM))
        person = await PlainJoin(hub.url, width=60, data_dir=str(tmp_path)).start()
        try:
            await Listener(person).hears("Type the number of your choice")
            person.type("quit\n")
            await person.wait()
        finally:
            person.kill()
    lines = person.text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Question 8 of 14"))
    end = next(i for i, line in enumerate(lines) if line.startswith("Type the number"))
    return lines[start : end + 1]


async def test_one_question_is_spoken_whole_and_in_order(tmp_path):
    skip_without("espeak-ng")
    lines = await one_question_as_printed(tmp_path)
    prompt_lines = next(i for i, line in enumerate(lines) if line.startswith("1. "))
    prefixes = [lines[:prompt_lines], lines[: prompt_lines + 3], lines]
    durations = [
        await seconds_spoken("\n".join(part) + "\n", tmp_path / f"part{n}.wav") for n, part in enumerate(prefixes)
    ]
    assert durations[0] > 1.0, "the prompt is spoken"
    assert durations[0] < durations[1] < durations[2], f"each line adds speech: {durations}"
    spoken = sounds((await espeak("\n".join(lines) + "\n", "-q", "-x")).decode())
    places = []
    for word in IN_ORDER:
        alone = sounds((await espeak(word + "\n", "-q", "-x")).decode()).strip()
        assert alone in spoken, f"{word} ({alone}) is spoken"
        places.append(spoken.index(alone))  # where it is first spoken
    assert places == sorted(places), f"the prompt first, then the choices, left to right: {places}"
