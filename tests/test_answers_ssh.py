"""Written answers over a real OpenSSH client: Welsh letters typed in a terminal reach the hub and show."""

from __future__ import annotations

import asyncio

from tests.sshkit import SSHClient, serving_ssh

WHAT = 0
WELSH = "Rhannu grym ŵ ŷ â ê î ô û"


async def test_an_answer_with_welsh_letters_is_typed_over_ssh(tmp_path):
    async with serving_ssh(tmp_path) as (hosted, _host):
        ann = await SSHClient(hosted.ssh_port, "ann", env={"LANG": "en_GB.UTF-8"}).start()
        await ann.expect("What does co-production mean to you")
        await ann.expect("characters left")
        ann.type(WELSH)
        await ann.expect("175 characters left")  # 25 characters typed, each Welsh letter one of them
        ann.type("\r")
        await ann.expect("1 answer")
        book = hosted.hub.session.answers[WHAT]
        assert [a.text for a in book.current()] == [WELSH]
        await ann.expect(r"1\. Rhannu grym ŵ ŷ â ê î ô û")  # drawn back on the participant's own list
        ann.type("\x1b")  # out of the text box (where q is a letter), then q leaves
        await asyncio.sleep(0.5)
        ann.type("q")
        assert await ann.wait() == 0
