/* coproterm's phone page: one more face on the hub's websocket protocol (docs/protocol.md).
   Every text from the hub (deck, names, messages) reaches the page through textContent only. */
"use strict";
(function () {

  /* Every word the page says comes from the hub's catalog (coproterm/web/page_words.py puts WORDS and
     PLURAL before this script): English and Cymraeg, with {named} places this page fills, a count's
     words as the language's plural forms (Welsh has six), every refusal and alert the hub can send, and
     VERSION, the protocol version of the hub that served the page. */
  var NAMES = { en: "English", cy: "Cymraeg" };  /* the toggle names the other language in its own words */
  var lang = WORDS[document.documentElement.lang] ? document.documentElement.lang : "en";  /* as the hub served it */

  /* A deck's text in the person's language: its Welsh twin where there is one (docs/protocol.md). */
  function tx(obj, key) {
    return (lang === "cy" && obj[key + "_cy"]) || obj[key] || "";
  }

  function number(value) {  /* 5000 as 5,000: how the terminal faces write it in both languages */
    return typeof value === "number" ? String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ",") : String(value);
  }
  function fill(text, values) {
    return text.replace(/\{([A-Za-z_]+)\}/g, function (whole, name) {
      return values && name in values ? number(values[name]) : whole;
    });
  }

  /* The message for key in this language, its places filled from values (a count picks the plural form). */
  function t(key, values) {
    var word = WORDS[lang].words[key];
    if (Array.isArray(word)) {
      var n = values && typeof values.count === "number" ? values.count : 0;
      word = word[Math.min(PLURAL[lang](n), word.length - 1)];
    }
    return fill(word, values);
  }

  /* A refusal the hub sent as its number and values (docs/protocol.md), in this language's words. */
  function refusalWords(refusal, values) {
    var known = WORDS[lang].refusals[refusal];
    if (!known || known[1].length !== values.length) return fill(WORDS[lang].unknown, { refusal: refusal });
    var named = {};
    known[1].forEach(function (name, i) { named[name] = values[i]; });
    return fill(known[0], named);
  }

  /* An alert the hub sent in its state as a number and values (docs/protocol.md, "Alerts"), the same way. */
  function alertWords(alert, values) {
    var known = WORDS[lang].alerts[alert];
    if (!known || known[1].length !== values.length) return fill(WORDS[lang].unknownAlert, { alert: alert });
    var named = {};
    known[1].forEach(function (name, i) { named[name] = values[i]; });
    return fill(known[0], named);
  }

  var $ = function (id) { return document.getElementById(id); };
  function el(tag, props, kids) {
    var node = document.createElement(tag);
    if (props) for (var k in props) {
      if (k === "text") node.textContent = props[k];
      else if (k === "cls") node.className = props[k];
      else node.setAttribute(k, props[k]);
    }
    (kids || []).forEach(function (kid) { if (kid) node.appendChild(kid); });
    return node;
  }

  /* -- what the page knows ------------------------------------------------------------- */

  var KEY = "coproterm";
  var saved = {};
  try { saved = JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { saved = {}; }
  function save() { try { localStorage.setItem(KEY, JSON.stringify(saved)); } catch (e) { /* private mode: no resume */ } }
  function tokenBytes(text) {
    var raw = atob(text), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function tokenText(bytes) { return btoa(String.fromCharCode.apply(null, bytes)); }

  if (saved.lang && WORDS[saved.lang]) lang = saved.lang;  /* chosen with the toggle on an earlier visit */

  var S = {
    ws: null, deck: null, deckLang: null, awaited: null, state: null, tally: null, votes: [], pending: {}, seq: 0,
    refusal: null, notice: null, phase: "form", tries: 0, timer: null,
    people: {}, mine: {}, hidden: {}, waiting: {}, drafts: {}, wall: null, tooMany: false, toMark: null, held: [], marksSent: {}, marksAgain: false,
    seen: {}, seenPeople: {}, seenWords: {}  /* the room's results as last shown to this person, by question */
  };
  var linkCode = (new URLSearchParams(location.search).get("code") || "").trim();

  /* -- the socket ------------------------------------------------------------------------ */

  function connect() {
    clearTimeout(S.timer);
    if (S.ws) { S.ws.onclose = null; S.ws.close(); }
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/");
    ws.binaryType = "arraybuffer";
    S.ws = ws;
    showLink(S.deck ? "reconnecting" : "joining");
    ws.onopen = function () {
      var token = saved.token ? tokenBytes(saved.token) : null;
      /* the deck comes in this person's language only; another is sent when they switch (Translated) */
      S.deckLang = lang;
      S.awaited = null;
      ws.send(MP.encode([1, VERSION, saved.name || null, token, null, saved.code || null, lang]));
    };
    ws.onmessage = function (event) {
      var message;
      try { message = MP.decode(new Uint8Array(event.data)); } catch (e) { return; }
      if (Array.isArray(message)) receive(message);
    };
    ws.onclose = function (event) { if (S.ws === ws) closed(event.code); };
  }

  function closed(code) {
    S.ws = null;
    S.pending = {};
    if (code === 4001) return stop(t("ended"), false, "ended");  /* a thank-you, not a trouble */
    if (code === 4000) return stop(t("replaced"), true);
    if (code === 1003 || code === 1007 || code === 1008 || code === 1009) {
      var why = S.refusal ? refusalWords(S.refusal[0], S.refusal[1]) : t("closed", { code: code });
      if (!S.deck) return showForm(t("refused", { why: why }));
      return stop(t("refused", { why: why }), true);
    }
    S.tries += 1;  /* went away (1001), dropped (1006), failed (1011): try again, a little later each time */
    showLink("reconnecting");
    S.timer = setTimeout(connect, Math.min(1000 * S.tries, 5000));
    render();
  }

  function send(items) {
    if (!S.ws || S.ws.readyState !== 1) return false;
    S.ws.send(MP.encode(items));
    return true;
  }

  function request(items, then) {
    S.seq = (S.seq + 1) >>> 0;
    items.splice(1, 0, S.seq);
    if (!send(items)) {
      S.refusal = "notSent";
      render();
      return;
    }
    S.pending[S.seq] = { q: items[2], then: then };  /* its question, renumbered with the deck until the Ack */
    S.refusal = null;
    S.notice = null;
    S.tooMany = false;
    render();
  }

  function vote(choice) {
    var q = S.state.current;
    var several = S.deck.questions[q].pick > 1;
    var items = several ? [6, q, choice || 0] : [2, q, choice];
    request(items, function (q) {
      S.votes[q] = choice || null;
      say(choice === null ? t("sayCleared") : t("sayCounted"));
    });
  }

  /* An agreement round. The hub offers a few answers at once (ToMark); this person marks them here one by one and
     the marks go together (Mark), once one answer or none is left of the offer, or MARKS_WAIT after the last. */
  var MARKS_WAIT = 10000, MAX_MARKS = 8;
  function markedHere() {
    var done = {};
    S.held.forEach(function (h) { done[h[0]] = true; });
    Object.keys(S.marksSent).forEach(function (seq) { S.marksSent[seq].forEach(function (h) { done[h[0]] = true; }); });
    return done;
  }
  function offer() {  /* the one answer to mark now: the first of the offer not marked here */
    var m = S.toMark;
    if (!m) return null;
    if (!m.open) return { question: m.question, open: false, answer: 0, text: "", left: 0 };
    var done = markedHere(), waiting = m.items.filter(function (item) { return !done[item[0]]; });
    var left = Math.max(m.left - (m.items.length - waiting.length), 0);
    return waiting.length ? { question: m.question, open: true, answer: waiting[0][0], text: waiting[0][1], left: left }
      : { question: m.question, open: true, answer: 0, text: "", left: left };
  }
  function announceOffer() {
    var o = offer();
    if (o) say(!o.open ? t("agreeClosed") : o.answer ? t("sayToMark", { text: o.text }) : t("allMarked"));
  }

  function mark(stance) {  /* agree 1, disagree 2, pass 0 (docs/protocol.md, Mark) */
    var o = offer();
    if (!o || !o.open || !o.answer) return;
    S.held = S.held.filter(function (h) { return h[0] !== o.answer; }).concat([[o.answer, stance]]);
    say(t("sayMarked"));
    announceOffer();
    clearTimeout(S.marksTimer);
    if (marksDue()) sendMarks();
    else S.marksTimer = setTimeout(sendMarks, MARKS_WAIT);
    render();
  }

  function marksDue() {  /* the offer runs low, a frame's worth is held, or some could not go before */
    var m = S.toMark;
    if (!S.held.length || !m || !m.open || !S.state || m.question !== S.state.current) return false;
    if (S.marksAgain || S.held.length >= MAX_MARKS) return true;
    var done = markedHere();
    return m.items.filter(function (item) { return !done[item[0]]; }).length <= 1;
  }

  function sendMarks() {
    clearTimeout(S.marksTimer);
    var m = S.toMark, held = S.held.slice(0, MAX_MARKS);
    if (!held.length || !m || !S.state) return;  /* no offer yet since a new welcome: they wait for it */
    if (!m.open || m.question !== S.state.current) { S.held = []; return; }  /* nothing could count them now */
    S.seq = (S.seq + 1) >>> 0;
    if (!send([9, S.seq, m.question, held])) { S.marksAgain = true; return; }  /* not connected: with the next offer */
    S.held = S.held.slice(held.length);
    S.marksAgain = S.held.length > 0;
    S.marksSent[S.seq] = held;
  }

  function answer(slot, text) {
    var q = S.state.current;
    request([4, q, slot, text], function (q) {
      var mine = S.mine[q] = S.mine[q] || {};
      if (text === null) {
        delete mine[slot];
        if (S.hidden[q]) delete S.hidden[q][slot];
        if (S.waiting[q]) delete S.waiting[q][slot];
      } else mine[slot] = text;
      delete S.drafts[q + ":" + slot];
      say(text === null ? t("sayTaken") : t("sayAnswer"));
    });
  }

  /* -- what the hub says ------------------------------------------------------------------- */

  function renumber(at) {  /* a question went in at "at": what is kept by question number moves with its question */
    var moved = function (q) { return q >= at ? q + 1 : q; };
    var shift = function (byQuestion) {
      var out = {};
      Object.keys(byQuestion).forEach(function (q) { out[moved(+q)] = byQuestion[q]; });
      return out;
    };
    S.votes.splice(at, 0, null);
    ["mine", "hidden", "waiting", "people", "seen", "seenPeople", "seenWords"].forEach(function (name) { S[name] = shift(S[name]); });
    Object.keys(S.pending).forEach(function (seq) { S.pending[seq].q = moved(S.pending[seq].q); });
    var drafts = {};
    Object.keys(S.drafts).forEach(function (key) {
      var parts = key.split(":");
      drafts[moved(+parts[0]) + ":" + parts[1]] = S.drafts[key];
    });
    S.drafts = drafts;
    /* not the state, tally or wall: the hub's latest of those is what it means now (the current question is
       before the new one, and a frame the same as the last one sent is not sent again) */
    if (S.countdown) S.countdown.question = moved(S.countdown.question);
  }

  function receive(m) {
    var kind = m[0];
    if (kind === 16) {  /* Welcome */
      if (m[3]) saved.token = tokenText(m[3]);
      save();
      S.deck = m[4];
      S.votes = Array.prototype.slice.call(m[5]);
      S.mine = {};
      S.hidden = {};
      S.waiting = {};
      S.wall = null;
      S.toMark = null;
      /* marks that went unacknowledged go again (a mark sent twice counts once) */
      Object.keys(S.marksSent).forEach(function (seq) { S.held = S.marksSent[seq].concat(S.held); });
      S.marksSent = {};
      S.marksAgain = S.held.length > 0;
      S.tries = 0;
      S.phase = "joined";
      S.refusal = null;
      S.arrived = !$("join").hidden;  /* just joined from the form: the question takes the focus */
      showLink("connected");
    } else if (kind === 17) {  /* State */
      var was = S.state, now = { current: m[1], open: m[2], revealed: m[3], alert: m[4], alertValues: m[5] || [], moderated: m[6] === true };
      if (was && was.current !== now.current) { S.notice = null; S.refusal = null; say(t("question", { number: now.current + 1, count: S.deck.questions.length })); }
      else if (was && was.open && !now.open) say(t("sayLocked"));
      else if (was && !was.open && now.open) say(t("sayOpen"));
      if (was && was.current === now.current && !was.revealed && now.revealed) say(t("sayResults"));
      else if (was && was.current === now.current && was.revealed && !now.revealed) say(t("sayHidden"));
      if (was && was.current === now.current && was.moderated !== now.moderated) say(t(now.moderated ? "sayModerated" : "sayUnmoderated"));
      S.state = now;
    } else if (kind === 18) {  /* Tally */
      S.tally = { question: m[1], counts: m[2] };
    } else if (kind === 19) {  /* Ack */
      delete S.marksSent[m[1]];
      var asked = S.pending[m[1]];
      if (asked) {
        delete S.pending[m[1]];
        asked.then(asked.q);
      }
    } else if (kind === 20) {  /* Error */
      if (m[1] !== null) { delete S.pending[m[1]]; delete S.marksSent[m[1]]; }
      S.refusal = [m[3], m[4] || []];
      if (S.deck && m[1] !== null) say(t("notCounted", { why: refusalWords(m[3], m[4] || []) }));
    } else if (kind === 21) {  /* Ballot */
      S.votes[m[1]] = m[2];
      if (m[2] === null) S.notice = "reset";
    } else if (kind === 31) {  /* Added: a question asked on the spot, now question m[1] of m[4] */
      var count = S.deck ? S.deck.questions.length : -1;
      if (S.deck && m[4] === count + 1 && m[1] <= count) {
        S.deck.questions.splice(m[1], 0, m[2]);
        if (m[3]) { S.deck.scales = S.deck.scales || {}; S.deck.scales[m[3][0]] = m[3][1]; }
        renumber(m[1]);
      } else if (S.deck && m[4] > count + 1 && S.ws) {
        S.ws.close();  /* out of step with the hub: its next welcome carries the whole deck */
      }  /* else had already: a translation of the deck brought it first */
    } else if (kind === 27) {  /* VoterCount */
      S.people[m[1]] = m[2];
    } else if (kind === 25) {  /* YourAnswers */
      var own = S.mine[m[1]] = {}, hid = S.hidden[m[1]] = {}, held = S.waiting[m[1]] || {}, waits = S.waiting[m[1]] = {};
      m[2].forEach(function (pair) { own[pair[0]] = pair[1]; });
      (m[3] || []).forEach(function (slot) { hid[slot] = true; });
      (m[4] || []).forEach(function (slot) { waits[slot] = true; });
      /* Said once each: an answer now waiting for the facilitator, and one the facilitator approved. */
      Object.keys(waits).forEach(function (slot) { if (!held[slot] && !hid[slot]) say(t("sayWaiting", { number: +slot + 1 })); });
      Object.keys(held).forEach(function (slot) {
        if (!waits[slot] && slot in own && !hid[slot]) say(t("sayApproved", { number: +slot + 1 }));
      });
    } else if (kind === 24) {  /* Wall */
      if (m[2] || !S.wall || S.wall.question !== m[1]) S.wall = { question: m[1], items: [], counts: {}, words: [] };
      var wall = S.wall, gone = {};
      m[5].forEach(function (id) { gone[id] = true; });
      m[4].forEach(function (pair) { gone[pair[0]] = true; });
      wall.items = m[4].map(function (pair) { return pair; }).concat(wall.items.filter(function (pair) { return !gone[pair[0]]; }));
      wall.total = m[3];
      if (m[6]) {  /* changes to the top words: a count of 0 takes a word off */
        m[6].forEach(function (pair) { if (pair[1]) wall.counts[pair[0]] = pair[1]; else delete wall.counts[pair[0]]; });
        wall.words = Object.keys(wall.counts).map(function (w) { return [w, wall.counts[w]]; }).sort(function (a, b) {
          return b[1] - a[1] || welshOrder(a[0], b[0]);  /* most used first, ties as the hub orders them */
        });
      }
    } else if (kind === 34) {  /* ToMark: the next of the others' answers to mark, in this person's own order */
      var had = offer();
      if (!m[2] || (S.toMark && S.toMark.question !== m[1])) S.held = [];  /* closed, or another round: void */
      var same = m[3] === null && S.toMark && S.toMark.question === m[1];  /* nil: the offer held stands */
      S.toMark = { question: m[1], open: m[2], items: same ? S.toMark.items : m[3] || [], left: m[4] };
      var now = offer();
      if (!had || had.answer !== now.answer || had.open !== now.open) announceOffer();
      if (marksDue()) sendMarks();  /* held marks that could not go before, now that there is an offer */
    } else if (kind === 30) {  /* Timer: the time left by the hub's clock, counted here on this phone's steady clock */
      S.countdown = { question: m[1], seconds: m[2], leftMs: m[3], locks: m[4], at: performance.now() };
    } else if (kind === 29) {  /* ChosenLanguage: the language this person chose before */
      if (WORDS[m[1]]) { lang = m[1]; words(); }
    } else if (kind === 32) {  /* Translated: the deck in the language just chosen */
      S.deck = m[2];
      S.deckLang = m[1];
      if (S.awaited === m[1]) { S.awaited = null; turnTo(m[1]); }
    }
    saw();
    render();
    tick();
  }

  /* -- the countdown: shown in the header, its start, last minute, last ten seconds and end said once each -- */

  function clock(seconds) {  /* "m:ss", as every face writes it */
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    var ss = (s < 10 ? "0" : "") + s;
    return h ? h + ":" + (m < 10 ? "0" : "") + m + ":" + ss : m + ":" + ss;
  }
  function sayTimer(words) {  /* a live region of its own: a vote's "counted" never takes its order_key */
    var live = $("timer-live");
    live.textContent = "";
    setTimeout(function () { live.textContent = words; }, 50);
  }
  S.spoken = { key: null, left: null };
  function tick() {
    var c = S.countdown, box = $("countdown");
    var here = c && S.state && S.phase === "joined" && c.question === S.state.current;
    if (!c || !c.seconds || !here) {
      box.hidden = true;
      if (c && !c.seconds) {
        if (here && S.spoken.key !== null && S.spoken.left > 0) sayTimer(t("sayStopped"));
        S.spoken = { key: null, left: null };
      }
      return;
    }
    var left = Math.ceil(Math.max(c.leftMs - (performance.now() - c.at), 0) / 1000);
    var key = c.question + ":" + c.seconds + ":" + c.locks;
    var before = S.spoken.key === key ? S.spoken.left : null;
    S.spoken = { key: key, left: left };
    box.hidden = false;
    box.textContent = left > 0 ? t("timeLeft", { mark: "⏱", time: clock(left) }) : t("timeUp", { mark: "⏱" });
    box.className = left > 0 && left <= 10 ? "countdown soon" : "countdown";
    if (before === null) {
      if (left > 0) sayTimer(t(c.locks ? "sayTimerLocks" : "sayTimerOnly", { time: clock(left) }));
      return;
    }
    if (before > 60 && left <= 60 && left > 0) sayTimer(t("sayMinute"));
    if (before > 10 && left <= 10 && left > 0) sayTimer(t("sayTen"));
    if (before > 0 && left === 0) sayTimer(t("sayTimeUp"));
  }
  setInterval(tick, 250);

  /* Welsh alphabetical order, as the hub's (coproterm/core/collation.py): ch after c, dd after d, ll after l…;
     letters from outside the alphabet after it, digits and signs first; then case and accents. */
  var ALPHABET = "a b c ch d dd e f ff g ng h i j l ll m n o p ph r rh s t th u w y".split(" ");
  function folded(word) { return word.toLowerCase().normalize("NFD"); }
  function welshLetters(word) {
    var plain = folded(word).replace(/[\u0300-\u036f]/g, ""), out = [];
    for (var i = 0; i < plain.length; i++) {
      var pair = plain.substr(i, 2), rank = pair.length === 2 ? ALPHABET.indexOf(pair) : -1;
      if (rank >= 0) { out.push(rank); i++; continue; }
      var c = plain[i], code = c.charCodeAt(0);
      rank = ALPHABET.indexOf(c);
      out.push(rank >= 0 ? rank : c.toLowerCase() !== c.toUpperCase() ? ALPHABET.length + code : code - 1000);
    }
    return out;
  }
  function welshOrder(a, b) {
    var x = welshLetters(a), y = welshLetters(b);
    for (var i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
    if (x.length !== y.length) return x.length - y.length;
    var fa = folded(a), fb = folded(b);
    return fa < fb ? -1 : fa > fb ? 1 : 0;
  }

  /* -- drawing: the whole session view from S, keeping the focus where it was -------------- */

  function say(words) {
    var live = $("live");
    live.textContent = "";
    setTimeout(function () { live.textContent = words; }, 50);
  }
  function showLink(key) { S.link = key; $("link").textContent = key ? t(key) : ""; }  /* a key: said again in a new language */

  function showForm(error) {
    S.phase = "form";
    $("session").hidden = true;
    $("join").hidden = false;
    $("go").disabled = false;
    $("go").textContent = t("join");
    $("form-error").textContent = error || "";
    showLink(error ? "offline" : "");
  }

  function stop(words, again, kind) {
    S.phase = "stopped";
    clearTimeout(S.timer);
    showLink(kind === "ended" ? "" : "offline");
    var box = $("session");
    box.replaceChildren(kind === "ended"
      ? el("p", { cls: "ended", role: "status", text: words })
      : el("p", { cls: "alert", role: "alert", text: words }));
    if (again) {
      var button = el("button", { type: "button", cls: "again", text: t("rejoin") });
      button.addEventListener("click", function () { S.refusal = null; connect(); });
      box.appendChild(button);
    }
    box.hidden = false;
    $("join").hidden = true;
    say(words);
  }

  function scaleOf(name) { return S.deck.scales[name]; }

  function describe(q, cell) {
    var board = q.board;
    if (typeof board === "string") return tx(scaleOf(board).positions[cell], "label");
    var xs = scaleOf(board[0]).positions, ys = scaleOf(board[1]).positions;
    return t("cell", { x: tx(xs[cell % xs.length], "label"), y: tx(ys[Math.floor(cell / xs.length)], "label") });
  }

  function picked(q, mine) {  /* a vote's cells: one, or a pick-several question's mask */
    if (mine === null || mine === undefined) return [];
    if (!(q.pick > 1)) return [mine];
    var cells = [];
    for (var i = 0; i < 16; i++) if (mine & (1 << i)) cells.push(i);
    return cells;
  }

  function described(q, mine) {
    return picked(q, mine).map(function (cell) { return describe(q, cell); }).join("; ");
  }

  function render() {
    if (S.phase !== "joined" || !S.deck || !S.state) return;
    var active = document.activeElement;
    var focused = active && active.getAttribute("data-id");
    var caret = active && active.tagName === "TEXTAREA" ? [active.selectionStart, active.selectionEnd] : null;
    var q = S.deck.questions[S.state.current];
    var box = $("session");
    var parts = [
      section(),
      el("p", { cls: "step", id: "step", text: t("question", { number: S.state.current + 1, count: S.deck.questions.length }) }),
      el("h2", { id: "prompt", tabindex: "-1", "data-id": "prompt", text: tx(q, "prompt") })
    ];
    var note = turned(q) || tx(q, "note");  /* the deck's note tells the terminal's way round */
    if (note) parts.push(el("p", { cls: "note", text: note }));
    var details = (lang === "cy" && q.details_cy) || q.details;
    if (details && details.length) {
      parts.push(el("ul", { cls: "details" }, details.map(function (d) { return el("li", { text: d }); })));
    }
    if (S.state.alert) parts.push(el("p", { cls: "alert", role: "alert", text: "⚠ " + alertWords(S.state.alert, S.state.alertValues) }));
    if (q.answers === "text") {
      parts = parts.concat(written(q));
    } else if (q.board === undefined) {
      parts.push(el("p", { cls: "status", id: "status", text: t("discussion") }));
    } else {
      parts.push(statusLine(q));
      var tally = S.tally;  /* results first: on a phone the board below is long */
      if (S.state.revealed && tally && tally.question === S.state.current) {
        parts.push(move(q));
        parts.push(results(q, tally.counts));
      }
      parts.push(typeof q.board === "string" ? scaleBoard(q) : gridBoard(q));
      var mine = S.votes[S.state.current];
      if (mine !== null && mine !== undefined && S.state.open) {
        parts.push(button(t("clear"), "clear", "clear", function () { vote(null); }));
      }
    }
    parts.push(keepLink());
    box.replaceChildren.apply(box, parts.filter(Boolean));
    box.hidden = false;
    $("join").hidden = true;
    if (S.arrived) { S.arrived = false; focused = "prompt"; }
    if (focused) {
      var again = box.querySelector('[data-id="' + focused + '"]');
      if (again) {
        again.focus();
        if (again.setSelectionRange && caret) again.setSelectionRange(caret[0], caret[1]);
      }
    }
  }

  /* Before and after: where this person moved from the question this one is compared with. */
  function move(q) {
    if (!q.compare || typeof q.board !== "string") return null;
    var before = null;
    S.deck.questions.forEach(function (other, i) { if (other.id === q.compare) before = S.votes[i]; });
    var after = S.votes[S.state.current];
    if (before === null || before === undefined || after === null || after === undefined) return null;
    var scale = scaleOf(q.board), groups = scale.groups || [], last = scale.positions[scale.positions.length - 1];
    var where = groups.length ? tx(groups[groups.length - 1], "label") : tx(last, "label");
    var path = describe(q, before) + " → " + describe(q, after) + ": ";
    var step = after - before;
    return el("p", { cls: "status", id: "move" }, [
      el("strong", { text: t("yourMove") }),
      document.createTextNode(path + (step ? t(step > 0 ? "towards" : "awayFrom", { count: Math.abs(step), where: where }) : t("stayed")))
    ]);
  }

  function section() {  /* a deck names a section where it begins: the current one is the latest named */
    for (var i = S.state.current; i >= 0; i--) {
      var q = S.deck.questions[i];
      if (q.section) return el("p", { cls: "section", text: tx(q, "section") });
    }
    return null;
  }

  function button(text, cls, id, onClick) {
    var b = el("button", { type: "button", cls: cls, "data-id": id, text: text });
    b.addEventListener("click", onClick);
    return b;
  }

  function refused() {  /* the refusal shown: the hub's (its number and values), or this page's own key */
    return typeof S.refusal === "string" ? t(S.refusal) : refusalWords(S.refusal[0], S.refusal[1]);
  }

  function statusLine(q) {
    var mine = S.votes[S.state.current], words, cls = "status";
    var waiting = Object.keys(S.pending).length > 0;
    if (waiting) words = t("sending");
    else if (S.refusal) { words = t("notCounted", { why: refused() }); cls += " refused"; }
    else if (S.tooMany) { words = t("tooMany", { count: q.pick }); cls += " refused"; }
    else if (S.notice && (mine === null || mine === undefined)) words = t(S.notice);
    else if (mine !== null && mine !== undefined) words = t(S.state.open ? "counted" : "lockedCounted", { choice: described(q, mine) });
    else if (!S.state.open) words = t("lockedNone");
    else words = q.pick > 1 ? t("chooseSeveral", { count: q.pick }) : t("choose");
    if (!S.state.open) cls += " locked";
    return el("p", { cls: cls, id: "status", text: words });
  }

  function choose(cell) {
    return function () {
      if (!S.state.open) return;
      var q = S.deck.questions[S.state.current];
      if (!(q.pick > 1)) return vote(cell);
      var mask = (S.votes[S.state.current] || 0) ^ (1 << cell);
      if (picked(q, mask).length > q.pick) { S.tooMany = true; S.refusal = null; render(); say(t("tooMany", { count: q.pick })); return; }
      vote(mask || null);
    };
  }

  function positionButton(q, pos, cell, number) {
    var mine = picked(q, S.votes[S.state.current]).indexOf(cell) >= 0;
    var b = el("button", {
      type: "button", cls: "pos", "data-id": "c" + cell, "aria-pressed": mine ? "true" : "false"
    }, [
      el("span", { cls: "lab", text: number + ". " + tx(pos, "label") }),
      mine ? el("span", { cls: "mine", text: t("yourVote") }) : null,
      pos.example ? el("span", { cls: "ex", text: t("example", { example: tx(pos, "example") }) }) : null,
      pos.narrative ? el("span", { cls: "nar", text: "“" + tx(pos, "narrative") + "”" }) : null
    ]);
    if (!S.state.open) b.setAttribute("aria-disabled", "true");
    b.addEventListener("click", choose(cell));
    return el("li", null, [b]);
  }

  function scaleBoard(q) {
    var scale = scaleOf(q.board), positions = scale.positions;
    var out = el("div", { cls: "board" }, [el("h3", { id: "board-title", text: tx(scale, "title") })]);
    var groups = scale.groups || [];
    if (!groups.length) {
      out.appendChild(el("ul", { cls: "choices", "aria-labelledby": "board-title" },
        positions.map(function (p, i) { return positionButton(q, p, i, i + 1); })));
      return out;
    }
    groups.forEach(function (g, gi) {
      var items = [];
      positions.forEach(function (p, i) { if (p.group === g.label) items.push(positionButton(q, p, i, i + 1)); });
      out.appendChild(el("fieldset", null, [
        el("legend", { text: tx(g, "label") }),
        g.note ? el("p", { cls: "gnote", text: tx(g, "note") }) : null,
        el("ul", { cls: "choices" }, items)
      ]));
    });
    return out;
  }

  /* A grid whose table is turned on a phone (its longer scale down): the note to read instead of the deck's. */
  function turned(q) {
    if (!Array.isArray(q.board)) return null;
    var xs = scaleOf(q.board[0]), ys = scaleOf(q.board[1]);
    return xs.positions.length > ys.positions.length ? t("turned", { rows: tx(xs, "title"), columns: tx(ys, "title") }) : null;
  }

  function gridBoard(q) {
    /* On a phone the longer axis runs down the screen, so each cell stays a thumb wide. */
    var xs = scaleOf(q.board[0]), ys = scaleOf(q.board[1]);
    var across = xs.positions.length <= ys.positions.length;
    var rows = across ? ys : xs, cols = across ? xs : ys;
    var width = xs.positions.length;
    var counts = S.state.revealed && S.tally && S.tally.question === S.state.current ? S.tally.counts : null;
    var mine = S.votes[S.state.current];
    var head = el("tr", null, [el("td")].concat(cols.positions.map(function (p) {
      return el("th", { scope: "col" }, [el("span", { text: tx(p, "label") })]);
    })));
    var body = [];
    var lastGroup = null;
    rows.positions.forEach(function (rp, r) {
      if (rp.group && rp.group !== lastGroup) {
        lastGroup = rp.group;
        var group = (rows.groups || []).filter(function (g) { return g.label === rp.group; })[0] || { label: rp.group };
        body.push(el("tr", null, [el("th", { scope: "rowgroup", colspan: String(cols.positions.length + 1), cls: "grp", text: tx(group, "label") })]));
      }
      var cells = cols.positions.map(function (cp, c) {
        var x = across ? c : r, y = across ? r : c, cell = y * width + x;
        var text = mine === cell ? "✓" : "";
        if (counts) text = (text ? text + " " : "") + counts[cell];
        var b = el("button", {
          type: "button", cls: "cell", "data-id": "c" + cell,
          "aria-pressed": mine === cell ? "true" : "false",
          "aria-label": t("cell", { x: tx(xs.positions[x], "label"), y: tx(ys.positions[y], "label") }) + (counts ? ": " + t("votes", { count: counts[cell], percent: percent(cell, counts) }) : "")
        }, [el("span", { cls: mine === cell ? "mine" : "", "aria-hidden": "true", text: text })]);
        if (!S.state.open) b.setAttribute("aria-disabled", "true");
        b.addEventListener("click", choose(cell));
        return el("td", null, [b]);
      });
      body.push(el("tr", null, [el("th", { scope: "row", text: tx(rp, "label") })].concat(cells)));
    });
    var table = el("table", null, [
      el("caption", { text: t("across", { rows: tx(rows, "title"), columns: tx(cols, "title") }) }),
      el("colgroup", null, [el("col", { cls: "rh" })]),
      el("thead", null, [head]),
      el("tbody", null, body)
    ]);
    return el("div", { cls: "scroll", role: "region", tabindex: "0", "aria-label": t("across", { rows: tx(rows, "title"), columns: tx(cols, "title") }) }, [table]);
  }

  /* Shares in whole percent by the core's one rule (coproterm/core/shares.py): largest remainder, so the
     shares add up to 100 as shown; shares of people (each chose several) each rounded half up. */
  function shares(counts, people) {
    var whole = counts.reduce(function (a, b) { return a + b; }, 0);
    var total = people === undefined ? whole : people;
    if (total <= 0) return counts.map(function () { return 0; });
    if (total !== whole) return counts.map(function (n) { return Math.floor((200 * n + total) / (2 * total)); });
    var out = counts.map(function (n) { return Math.floor((100 * n) / total); });
    var missing = 100 - out.reduce(function (a, b) { return a + b; }, 0);
    var order = counts.map(function (n, i) { return i; }).sort(function (a, b) {
      return ((100 * counts[b]) % total) - ((100 * counts[a]) % total) || counts[b] - counts[a] || a - b;
    });
    for (var k = 0; k < missing; k++) out[order[k]] += 1;
    return out;
  }

  function percent(cell, counts) {
    var q = S.deck.questions[S.state.current];
    var people = q.pick > 1 ? S.people[S.state.current] : undefined;  /* several each: a share of the people */
    return shares(counts, people)[cell];
  }

  function results(q, counts) {
    var total = counts.reduce(function (a, b) { return a + b; }, 0);
    var list = el("ul", { cls: "bars" });
    counts.forEach(function (n, cell) {
      if (typeof q.board !== "string" && n === 0) return;  /* a grid lists the cells someone chose */
      var pct = percent(cell, counts);
      var fill = el("span", { cls: "fill" });
      fill.style.width = pct + "%";
      list.appendChild(el("li", null, [
        el("span", { cls: "bl", text: describe(q, cell) }),
        el("span", { cls: "row" }, [el("span", { cls: "bar", "aria-hidden": "true" }, [fill]), el("span", { cls: "bn", text: t("votes", { count: n, percent: pct }) })])
      ]));
    });
    var people = q.pick > 1 && S.people[S.state.current] !== undefined ? el("p", { text: t("people", { count: S.people[S.state.current] }) }) : null;
    return el("section", { "aria-labelledby": "results" }, [
      el("h3", { id: "results", text: t("results") }),
      people,
      total ? list : el("p", { text: t("noVotes") })
    ]);
  }

  /* A text question: the person's own answers, one box each, and the room's wall once revealed. */
  function written(q) {
    var current = S.state.current, mine = S.mine[current] || {}, most = q.max_answers || 3;
    var filled = Object.keys(mine).length, open = S.state.open;
    var words = Object.keys(S.pending).length ? t("sending")
      : S.refusal ? t("notCounted", { why: refused() })
      : !open ? t("lockedAnswers")
      : filled ? t("answersIn", { count: filled }) : t("write", { count: most });
    var parts = [el("p", { cls: "status" + (S.refusal ? " refused" : "") + (open ? "" : " locked"), id: "status", text: words })];
    /* Said before anything is written: answers to a moderated question wait for the facilitator. */
    if (S.state.moderated) parts.push(el("p", { cls: "hint", id: "moderated", text: t("moderated") }));
    var wall = S.wall;
    if (S.toMark && S.toMark.question === current) parts.push(marking(offer()));
    if (S.state.revealed && wall && wall.question === current) parts.push(wallOf(wall));
    var shown = 0;
    for (var slot = 0; slot < most; slot++) {
      var saved = mine[slot];
      if (saved === undefined) {
        if (shown >= filled + 1 || !open) continue;  /* one empty box at a time */
      }
      shown++;
      parts.push(answerBox(q, slot, saved));
    }
    return parts;
  }

  /* An agreement round: one of the others' answers (never a name), and three buttons to mark it. */
  function marking(m) {
    var kids = [el("h3", { id: "agreeing", text: t("agreeing") })];
    if (!m.open) {
      kids.push(el("p", { cls: "status locked", text: t("agreeClosed") }));
    } else if (!m.answer) {
      kids.push(el("p", { cls: "status", text: t("allMarked") }));
    } else {
      kids.push(el("p", { cls: "hint", id: "agree-hint", text: t("agreeHint") + " " + t("answersLeft", { count: m.left }) }));
      kids.push(el("blockquote", { cls: "to-mark", id: "to-mark", text: m.text }));
      kids.push(el("div", { cls: "marks", role: "group", "aria-labelledby": "agreeing", "aria-describedby": "to-mark" }, [
        button(t("agree"), "again", "agree", function () { mark(1); }),
        button(t("disagree"), "again", "disagree", function () { mark(2); }),
        button(t("pass"), "clear", "pass", function () { mark(0); })
      ]));
    }
    return el("section", { cls: "agreement", "aria-labelledby": "agreeing" }, kids);
  }

  function answerBox(q, slot, saved) {
    var key = S.state.current + ":" + slot, id = "answer-" + slot;
    var box = el("textarea", {
      id: id, "data-id": "a" + slot, rows: "2", maxlength: String(q.max_length || 200),
      "aria-describedby": id + "-hint" + (S.state.moderated ? " moderated" : "")
    });
    box.value = key in S.drafts ? S.drafts[key] : saved || "";
    box.addEventListener("input", function () { S.drafts[key] = box.value; });
    var open = S.state.open;
    if (!open) box.readOnly = true;
    var go = button(t("send"), "again", "s" + slot, function () {
      var text = (S.drafts[key] !== undefined ? S.drafts[key] : box.value).trim();
      if (open && text) answer(slot, text);
    });
    var kids = [
      el("label", { "for": id, text: t("yourAnswer", { number: slot + 1 }) }), box,
      el("p", { cls: "hint", id: id + "-hint", text: t("answerHint", { count: q.max_length || 200 }) })
    ];
    if (saved !== undefined && (S.hidden[S.state.current] || {})[slot]) {
      kids.push(el("p", { cls: "hint hidden-answer", "data-id": "h" + slot, text: t("hiddenByFacilitator") }));
    } else if (saved !== undefined && (S.waiting[S.state.current] || {})[slot]) {
      kids.push(el("p", { cls: "hint waiting-answer", "data-id": "w" + slot, text: t("waitingForFacilitator") }));
    }
    if (open) kids.push(go);
    if (open && saved !== undefined) kids.push(button(t("takeBack"), "clear", "r" + slot, function () { answer(slot, null); }));
    return el("div", { cls: "answer" }, kids);
  }

  function wallOf(wall) {
    var parts = [el("h3", { id: "results", text: t("wall", { count: wall.total }) })];
    if (wall.words.length) {
      parts.push(el("h4", { text: t("words") }));
      parts.push(el("ul", { cls: "words" }, wall.words.map(function (pair) { return el("li", { text: t("used", { word: pair[0], count: pair[1] }) }); })));
    }
    parts.push(el("ul", { cls: "wall" }, wall.items.map(function (pair) { return el("li", { text: pair[1] }); })));
    return el("section", { "aria-labelledby": "results" }, parts);
  }

  /* -- a record to take home: this person's own answers, the room's only where shown them ------- */

  function saw() {
    var st = S.state, tally = S.tally;
    if (st && st.revealed && tally && tally.question === st.current) {
      S.seen[st.current] = Array.prototype.slice.call(tally.counts);
      if (S.people[st.current] !== undefined) S.seenPeople[st.current] = S.people[st.current];
    }
    if (S.wall && S.wall.words.length) S.seenWords[S.wall.question] = S.wall.words.slice(0, 10);
  }

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }

  function numbered(q, cell) {  /* "4. consultation", as the terminal's record says it */
    var board = q.board;
    if (typeof board === "string") return (cell + 1) + ". " + describe(q, cell);
    return (cell % scaleOf(board[0]).positions.length + 1) + ". " + describe(q, cell);
  }

  /* The same small self-contained file as the terminal's k key writes (coproterm/export/takehome.py). */
  function record(when) {
    var title = tx(S.deck, "title"), head = t("keptTitle", { title: title });
    var out = ['<!doctype html>\n<html lang="' + lang + '"><head><meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1"><title>' + esc(head) + "</title>",
      "<style>body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1d2330}main{max-width:720px;margin:0 auto;" +
      "padding:1.25rem 1rem 2.5rem}section{border-top:1px solid #d8dce3}.meta{color:#5b6475;font-size:.9rem}" +
      ".mine,tr.yours td{font-weight:700}table{border-collapse:collapse;width:100%}td{padding:.15rem .4rem;" +
      "border-bottom:1px solid #d8dce3;overflow-wrap:anywhere}td.n{text-align:right;white-space:nowrap}</style>",
      "</head><body><main><h1>" + esc(head) + '</h1><p class="meta">' + esc(t("kept", { when: when })) + "</p>"];
    S.deck.questions.forEach(function (q, i) {
      var part = ["<section><h2>" + (i + 1) + ". " + esc(tx(q, "prompt")) + "</h2>"];
      var mine = q.answers === "text"
        ? Object.keys(S.mine[i] || {}).sort().map(function (slot) { return S.mine[i][slot]; }).filter(Boolean)
        : q.board === undefined ? [] : picked(q, S.votes[i]).map(function (cell) { return numbered(q, cell); });
      part.push(mine.length
        ? '<p class="mine">' + esc(t("you")) + '</p><ul class="mine">' + mine.map(function (m) { return "<li>" + esc(m) + "</li>"; }).join("") + "</ul>"
        : '<p class="meta">' + esc(t("notAnswered")) + "</p>");
      var counts = S.seen[i];
      if (counts && q.board !== undefined) {
        var chosen = picked(q, S.votes[i]);
        var each = shares(counts, q.pick > 1 ? S.seenPeople[i] : undefined);  /* as the screens round them */
        var rows = counts.map(function (n, cell) {
          if (typeof q.board !== "string" && n === 0) return "";
          return '<tr class="' + (chosen.indexOf(cell) >= 0 ? "yours" : "room") + '"><td>' + esc(numbered(q, cell)) +
            '</td><td class="n">' + n + " · " + each[cell] + "%</td></tr>";
        });
        part.push('<p class="meta">' + esc(t("roomShown")) + "</p><table>" + rows.join("") + "</table>");
      }
      if (S.seenWords[i]) {
        part.push('<p class="meta">' + esc(t("words")) + ": " +
          esc(S.seenWords[i].map(function (pair) { return pair[0] + " (" + pair[1] + ")"; }).join(", ")) + "</p>");
      }
      out.push(part.join("") + "</section>");
    });
    return out.join("\n") + "\n</main></body></html>\n";
  }

  function keepLink() {
    var link = el("a", { id: "keep", href: "#", text: t("keep") });
    link.addEventListener("click", function () {
      var now = new Date(), pad = function (n) { return (n < 10 ? "0" : "") + n; };
      var day = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
      var when = day + " " + pad(now.getHours()) + ":" + pad(now.getMinutes());
      var stem = (tx(S.deck, "title") + "-" + day).replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "").toLowerCase().slice(0, 80);
      if (link.href.indexOf("blob:") === 0) URL.revokeObjectURL(link.href);
      link.href = URL.createObjectURL(new Blob([record(when)], { type: "text/html" }));
      link.download = (stem || "coproterm") + ".html";
    });
    return el("p", { cls: "keep" }, [link]);
  }

  /* -- starting ------------------------------------------------------------------------------ */

  function words() {
    document.documentElement.lang = lang;
    $("intro").textContent = t("intro");
    $("code-label").textContent = t("code");
    $("code-hint").textContent = t("codeHint");
    $("name-label").textContent = t("name");
    $("name-hint").textContent = t("nameHint");
    $("go").textContent = t("join");
    showLink(S.link);
    document.title = WORDS[lang].title;
    var toggle = $("lang");
    toggle.hidden = false;
    toggle.textContent = NAMES[lang === "en" ? "cy" : "en"];
    toggle.lang = lang === "en" ? "cy" : "en";
    render();
  }

  function turnTo(chosen) {
    lang = chosen;
    saved.lang = lang;  /* the next visit starts in it too, before the hub says it back */
    save();
    words();
  }
  $("lang").addEventListener("click", function () {
    var chosen = (S.awaited || lang) === "en" ? "cy" : "en";
    /* the hub remembers it with this person (ChooseLanguage); where the deck came in the other language
       only, the page turns when the hub sends it in this one: no screen mixes the two */
    if (send([7, chosen]) && S.deck && S.deckLang !== chosen) { S.awaited = chosen; return; }
    S.awaited = null;
    turnTo(chosen);
  });
  $("join").addEventListener("submit", function (event) {
    event.preventDefault();
    var code = $("code").value.trim(), name = $("name").value.trim();
    if (saved.code !== code) delete saved.token;  /* another session: join it as someone new */
    saved.code = code;
    saved.name = name;
    save();
    $("go").disabled = true;
    $("go").textContent = t("joining");
    $("form-error").textContent = "";
    connect();
  });
  /* A phone that slept, or found its network again, connects afresh at once: its old socket may be
     dead without knowing it (a browser notices a silent TCP connection only when it next sends). */
  var hiddenAt = 0;
  function wake(fresh) {
    if (S.phase !== "joined" || document.hidden) return;
    if (!S.ws || fresh) connect();
  }
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { hiddenAt = Date.now(); sendMarks(); return; }  /* held marks go before the phone sleeps */
    wake(Date.now() - hiddenAt > 20000);
  });
  window.addEventListener("online", function () { wake(true); });

  words();
  $("code").value = linkCode || saved.code || "";
  $("name").value = saved.name || "";
  if (saved.token && (!linkCode || linkCode.toUpperCase() === (saved.code || "").toUpperCase())) {
    S.phase = "joined";  /* back on this page: the same participant, with the same votes */
    connect();
  } else {
    showForm("");
  }
})();
