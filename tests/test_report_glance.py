"""The report a facilitator sends to a board: the workshop at a glance first, details after, readable on a phone.

Tried as a facilitator would: a whole workshop exported, opened in the system's
Chromium at a laptop's width and a phone's, in English and in Welsh.
"""

from __future__ import annotations

import os
from html import unescape
from pathlib import Path

import pytest

from coproterm.core.i18n import language
from coproterm.export.glance import Gathering
from coproterm.export.html import for_the_record, to_html
from tests.reportkit import HIDDEN_ANSWER, workshop_report
from tests.webkit import PHONE, chromium

SHOTS = Path(os.environ.get("COPROTERM_SHOTS", "/tmp/coproterm-shots"))
VENUE = "Neuadd y Dref, Aberystwyth"
HEADLINE = {
    "en": "Of 12 who answered both: 9 moved towards doing with, 2 stayed, 1 moved away.",
    "cy": "O'r 12 a atebodd y ddau: symudodd 9 tuag at 'gwneud gyda phobl', arhosodd 2 yn eu hunfan, symudodd 1 i ffwrdd.",
}


def report_html(lang: str = "en") -> str:
    return to_html(workshop_report(), "s1", lang=language(lang), gathering=Gathering(VENUE, over_ssh=3))


def glance_of(html: str) -> str:
    return html.split('<header class="glance"', 1)[1].split("</header>", 1)[0]


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_first_page_holds_the_workshop_at_a_glance(lang):
    html = report_html(lang)
    assert html.index('<header class="glance"') < html.index('<section id="q1">'), "the glance comes first"
    glance = glance_of(html)
    assert VENUE in glance and ">12</strong>" in glance and "&#x<strong>" not in glance
    assert HEADLINE[lang] in unescape(glance)
    assert 'class="heat moves"' in glance, "the from → to table"
    assert "simple" in glance.lower() or "syml" in glance.lower(), "the grid's rows"
    assert glance.count('class="card open-glance"') == 2, "each open question"
    for number in (1, 9, 12, 13):
        assert f'href="#q{number}"' in glance, f"a link to question {number}'s details"
    assert HIDDEN_ANSWER not in glance


def test_hidden_answers_stay_off_the_first_page_even_when_the_export_lists_them():
    html = to_html(workshop_report(), "s1", with_hidden=True)
    assert HIDDEN_ANSWER not in glance_of(html)
    assert HIDDEN_ANSWER in html.split("</header>", 1)[1], "the details list it, marked, as asked"


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_no_words_meant_for_the_room_reach_the_report(lang):
    html = report_html(lang)
    assert "with d." not in html and "gyda d." not in html
    assert "Cardiff City Council" in html or "Cyngor Dinas Caerdydd" in html, "the rest of the note stays"


@pytest.mark.parametrize(
    ("note", "kept"),
    [
        ("Cardiff City Council. Open the case's points with d.", "Cardiff City Council."),
        ("Cyngor Dinas Caerdydd. Agorwch bwyntiau'r achos gyda d.", "Cyngor Dinas Caerdydd."),
        ("Press x to see more. Pittsburgh, USA.", "Pittsburgh, USA."),
        ("Work with us. Decide together with the people.", "Work with us. Decide together with the people."),
    ],
)
def test_a_note_keeps_everything_but_the_key_to_press(note, kept):
    assert for_the_record(note) == kept


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_tally_over_time_is_folded_under_its_clock_times(lang):
    html = report_html(lang)
    details = html.split("<details>")[1:]
    assert len(details) >= 10
    assert all('<figure class="timeline">' not in part.split("</details>")[0] or ":" in part[:200] for part in details)
    assert "less than a minute" not in html and "How the tally moved over" not in html
    timelines = html.count('<figure class="timeline">')
    assert timelines == sum(part.split("</details>")[0].count('<figure class="timeline">') for part in details)


MEASURE = """() => {
  document.querySelectorAll('details').forEach(d => d.open = true);
  const page = document.documentElement.clientWidth;
  const small = [], cut = [], overlaps = [], wide = [];
  const scroller = e => { for (let p = e.parentElement; p; p = p.parentElement)
    if (getComputedStyle(p).overflowX === 'auto') return p; return null; };
  for (const e of document.querySelectorAll('body *')) {
    if (!e.getClientRects().length) continue;
    const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    let size = parseFloat(getComputedStyle(e).fontSize);
    const svg = e.closest('svg');
    if (svg) size *= svg.getScreenCTM().a;
    if (size < 11.9) small.push(e.tagName + ' ' + size.toFixed(1) + ' ' + e.textContent.slice(0, 40));
    if (!svg && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).display !== 'inline')
      cut.push(e.tagName + ' ' + e.textContent.slice(0, 40));
    const box = e.getBoundingClientRect();
    if (box.right > page + 1 && !scroller(e)) wide.push(e.tagName + ' ' + e.textContent.slice(0, 40));
  }
  for (const svg of document.querySelectorAll('svg')) {
    const texts = [...svg.querySelectorAll('text')].map(t => [t, t.getBoundingClientRect()]);
    for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
      const [a, r] = texts[i], [b, s] = texts[j];
      if (r.left < s.right - 1 && s.left < r.right - 1 && r.top < s.bottom - 1 && s.top < r.bottom - 1)
        overlaps.push(a.textContent + ' / ' + b.textContent);
    }
  }
  return {small, cut, overlaps, wide, scroll: document.documentElement.scrollWidth - page};
}"""


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("width", [PHONE["width"], 1200])
async def test_everything_fits_is_readable_and_nothing_overlaps(tmp_path, lang, width):
    page_file = tmp_path / "report.html"
    page_file.write_text(report_html(lang), encoding="utf-8")
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with chromium() as browser:
        context = await browser.new_context(viewport={"width": width, "height": 900})
        page = await context.new_page()
        await page.goto(page_file.as_uri())
        await page.screenshot(path=str(SHOTS / f"report-glance-{lang}-{width}.png"))
        first = await page.evaluate(
            """() => { const g = document.querySelector('header.glance');
                       return {top: g.getBoundingClientRect().top,
                               first: document.querySelector('main').firstElementChild === g,
                               links: [...g.querySelectorAll('a')].every(a => document.querySelector(a.hash))}; }"""
        )
        assert first == {"top": 0, "first": True, "links": True} or (first["first"] and first["links"]), first
        measured = await page.evaluate(MEASURE)
        await context.close()
    assert measured["scroll"] <= 0, measured
    assert not measured["small"], measured["small"]
    assert not measured["cut"], measured["cut"]
    assert not measured["overlaps"], measured["overlaps"]
    assert not measured["wide"], measured["wide"]
