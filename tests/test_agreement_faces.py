"""The agreement round on the Textual faces (Pilot, a real hub in the same loop): the dashboard opens it with
its key and its palette, and shows the marks; participants mark the others' answers, in English and in Welsh,
at 80 x 24 and at 40 x 12."""

from __future__ import annotations

import pytest

from coproterm.core.client_messages import Answer, Command, Hello, Mark
from coproterm.core.wire_terms import Action, Stance
from coproterm.tui.host.app import HostApp
from coproterm.tui.participant.app import ParticipantApp
from tests.conftest import HOST_TOKEN
from tests.facekit import text_of, until
from tests.hubkit import join, join_host, running_hub
from tests.textualkit import notifications_of

TEXT = 0


@pytest.fixture
async def hub():
    async with running_hub() as running:
        yield running


def said(app, selector):
    """What a part of the screen says, or nothing while it has not been made."""
    from textual.css.query import NoMatches

    try:
        return text_of(app, selector)
    except NoMatches:
        return ""


def connected(app):
    return app.view.turnout.connected if app.view.turnout is not None else None


async def write(url, text):
    peer = await join(url, Hello(name=text))
    reply = await peer.request(lambda s: Answer(s, TEXT, 0, text))
    assert reply.seq == peer.seq and type(reply).__name__ == "Ack"
    return peer


def marks_of(hub):
    round_ = hub.session.rounds.get(TEXT)
    return {} if round_ is None else {a: tuple(c) for a, c in round_.counts.items() if any(c)}


async def test_the_dashboard_opens_agreement_and_participants_mark_in_both_languages(hub):
    writers = [await write(hub.url, text) for text in ("More tea breaks", "Meet in the library")]
    host = HostApp(hub.url, HOST_TOKEN)
    ann = ParticipantApp(hub.url, "Ann")
    bryn = ParticipantApp(hub.url, "Bryn", lang="cy")
    async with (
        host.run_test(size=(100, 30)) as hp,
        ann.run_test(size=(80, 24)) as ap,
        bryn.run_test(size=(40, 12)) as bp,
    ):
        await until(hp, lambda: connected(host) == 4)
        await hp.press("g")
        await until(hp, lambda: TEXT in hub.session.rounds and hub.session.rounds[TEXT].open)
        await until(ap, lambda: "answers left" in said(ann, "#mark-heading"))
        assert "2 answers left" in text_of(ann, "#mark-heading")
        first = text_of(ann, "#mark-text")
        assert first.strip("“”") in ("More tea breaks", "Meet in the library")
        assert "1 agree · 2 disagree · 3 pass" in text_of(ann, "#mark-hint")
        assert "agree" in str(ann.screen.query_one("KeyBar").render())
        await ap.press("1")
        await until(ap, lambda: "1 answer left" in text_of(ann, "#mark-heading"))
        second = text_of(ann, "#mark-text")
        assert second != first
        await ap.press("2")
        await until(ap, lambda: "marked every answer" in text_of(ann, "#mark-text"))

        # Welsh, on a 40 x 12 screen: the same round in its words.
        await until(bp, lambda: "atebion ar ôl: 2" in said(bryn, "#mark-heading"))
        assert "Cytuno â'n gilydd" in text_of(bryn, "#mark-heading")
        assert "1 cytuno · 2 anghytuno · 3 pasio" in text_of(bryn, "#mark-hint")
        await bp.press("1")
        await until(bp, lambda: "atebion ar ôl: 1" in text_of(bryn, "#mark-heading"))

        await until(hp, lambda: "3 marks by 2 participants" in said(host, "#agreement"))
        panel = text_of(host, "#agreement")
        assert "Most agreed on" in panel and "open for agreement" in panel
        # The palette closes it; every participant is told.
        await hp.press("ctrl+p")
        await hp.press(*"Open or close answers")
        await hp.press("enter")
        await until(hp, lambda: not hub.session.rounds[TEXT].open)
        await until(ap, lambda: "closed agreement" in text_of(ann, "#mark-text"))
        await until(bp, lambda: "wedi cau" in text_of(bryn, "#mark-text"))
        await until(hp, lambda: "agreement closed" in text_of(host, "#agreement"))
        for peer in writers:
            await peer.socket.close()


async def test_someone_who_joins_during_the_round_marks_at_once_on_a_small_screen(hub):
    writers = [await write(hub.url, text) for text in ("More tea breaks", "Meet in the library")]
    raw = await join_host(hub.url)
    await raw.request(lambda s: Command(s, Action.AGREE, TEXT))
    late = ParticipantApp(hub.url, "Late")
    async with late.run_test(size=(40, 12)) as pilot:
        await until(pilot, lambda: "2 answers left" in said(late, "#mark-heading"))
        await until(pilot, lambda: late.screen.focused is late.screen.query_one("#marking"))
        await pilot.press("1")  # marks: it does not type into the answer box
        await until(pilot, lambda: "1 answer left" in said(late, "#mark-heading"))
        assert late.screen.query_one("#answer-text").value == ""
        assert hub.session.rounds[TEXT].total == 1
    for peer in (*writers, raw):
        await peer.socket.close()


async def test_a_question_without_written_answers_is_not_opened_and_the_dashboard_says_why(hub):
    host = HostApp(hub.url, HOST_TOKEN)
    async with host.run_test(size=(100, 30)) as hp:
        await until(hp, lambda: host.view.state is not None)
        raw = await join_host(hub.url)
        await raw.request(lambda s: Command(s, Action.GOTO, 1))
        await until(hp, lambda: host.view.state.current == 1)
        await hp.press("g")
        await until(hp, lambda: any("written answers" in str(n.message) for n in notifications_of(host)))
        assert hub.session.rounds == {}, "nothing was sent to the hub"
        await raw.socket.close()


async def test_the_split_and_the_agreed_show_on_the_dashboard_in_welsh(hub):
    writers = [await write(hub.url, text) for text in ("Tea", "Coffee", "Water")]
    host = HostApp(hub.url, HOST_TOKEN, lang="cy")
    async with host.run_test(size=(100, 30)) as hp:
        await until(hp, lambda: host.view.state is not None)
        raw = await join_host(hub.url)
        await raw.request(lambda s: Command(s, Action.AGREE, TEXT))
        # Tea: agreed by both others. Coffee: one agrees, one disagrees.
        tea, coffee = 1, 2
        first, second, third = writers
        for peer, answer, stance in (
            (second, tea, Stance.AGREE),
            (third, tea, Stance.AGREE),
            (first, coffee, Stance.AGREE),
            (third, coffee, Stance.DISAGREE),
        ):
            reply = await peer.request(lambda s, a=answer, st=stance: Mark(s, TEXT, ((a, st),)))
            assert type(reply).__name__ == "Ack", reply
        await until(hp, lambda: host.view.current_agreement is not None and host.view.current_agreement.marks >= 4)
        await until(hp, lambda: "Cytunwyd fwyaf ar" in text_of(host, "#agreement"))
        panel = text_of(host, "#agreement")
        assert "Mae'r ystafell wedi'i rhannu ar" in panel and "marciau: 4, cyfranogwyr: 3" in panel
        tea_line = next(line for line in panel.splitlines() if "Tea" in line)
        assert "cytuno: 2, anghytuno: 0, pasio: 0" in tea_line
        for peer in (*writers, raw):
            await peer.socket.close()


async def test_marks_are_held_while_the_offer_lasts_and_go_after_a_pause_or_as_it_runs_low(hub, monkeypatch):
    """Four answers offered: a mark stays in the app (the next answer shows at once, nothing travels); after a
    pause the marks held go; once one answer of the offer is left unmarked they go at once."""
    import coproterm.tui.participant.app as participant_app

    monkeypatch.setattr(participant_app, "MARKS_WAIT", 3600.0)
    writers = [await write(hub.url, text) for text in ("Tea", "Coffee", "Water", "Juice")]
    raw = await join_host(hub.url)
    await raw.request(lambda s: Command(s, Action.AGREE, TEXT))
    person = ParticipantApp(hub.url, "Person", lang="cy")
    async with person.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: "atebion ar ôl: 4" in said(person, "#mark-heading"))
        await until(pilot, lambda: person.screen.focused is person.screen.query_one("#marking"))
        await pilot.press("1")
        await until(pilot, lambda: "atebion ar ôl: 3" in said(person, "#mark-heading"))
        assert len(person.view.marks_held) == 1 and hub.session.rounds[TEXT].total == 0
        monkeypatch.setattr(participant_app, "MARKS_WAIT", 0.2)
        await pilot.press("2")  # two of the offer still unmarked: held, then sent after the pause
        await until(pilot, lambda: hub.session.rounds[TEXT].total == 2)
        await pilot.press("3")  # one left unmarked: sent at once
        await until(pilot, lambda: hub.session.rounds[TEXT].total == 3)
        await pilot.press("1")
        await until(pilot, lambda: "wedi marcio pob ateb" in said(person, "#mark-text"))
        await until(pilot, lambda: hub.session.rounds[TEXT].total == 4)
        assert hub.session.rounds[TEXT].people() == 1 and not person.view.marks_held
    for peer in (*writers, raw):
        await peer.socket.close()
