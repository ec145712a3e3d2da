"""A browser softphone: talk to the agent with the microphone, no Twilio account needed.

The page speaks Twilio's Media Streams protocol itself over the same ``/twilio/media``
WebSocket (8 kHz mu-law in 20 ms frames, ``mark`` and ``clear`` handled like Twilio), so it
exercises exactly the phone path. It gets its stream token from ``POST /softphone/call``
instead of a signed Twilio webhook, which is why the page is off unless
``AICALL_SOFTPHONE=1`` (``make demo`` turns it on). Softphone calls also receive
``transcript`` events to show the conversation.

Who may place calls: a browser on the same machine (the server reached on a loopback
address, from a loopback address) needs nothing. From anywhere else ``POST /softphone/call``
asks for the login ``AICALL_SOFTPHONE_TOKEN`` (``Authorization: Bearer <token>``, typed into
the page) and is refused without one; ``aicall serve --softphone`` will not bind a
non-loopback address unless the token is set. A token request from another site (its
``Origin`` is not this server) is refused, and token requests count against the webhook rate
limit of their source address.
"""

from __future__ import annotations

import hmac
import html
import logging
import uuid
from collections.abc import Callable

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from agent.config import Settings
from agent.server.limits import is_loopback, origin_allowed
from agent.voice.call import CallRuntime
from common.errors import AicallError
from telephony.twilio.tokens import StreamGrant, StreamTokenIssuer

__all__ = [
    "KEYPAD_HTML",
    "SOFTPHONE_JS",
    "SOFTPHONE_PARAMETER",
    "add_softphone",
    "softphone_login_error",
]

log = logging.getLogger(__name__)

#: Stream parameter that marks a softphone call (it then gets ``transcript`` events).
SOFTPHONE_PARAMETER = "softphone"


def softphone_login_error(request: Request, settings: Settings) -> str | None:
    """Why ``request`` may not place a softphone call (``None``: it may).

    With ``AICALL_SOFTPHONE_TOKEN`` set, every request must carry it; without it, only a
    request that reached a loopback address from a loopback address is served.
    """
    token = settings.softphone_token
    if token:
        sent = request.headers.get("authorization", "")
        scheme, _, value = sent.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(value.encode(), token.encode()):
            return None
        return "softphone login required (Authorization: Bearer <AICALL_SOFTPHONE_TOKEN>)"
    server = request.scope.get("server") or (None, None)
    client = request.client.host if request.client else None
    if is_loopback(server[0]) and is_loopback(client):
        return None
    return "the softphone answers only on loopback unless AICALL_SOFTPHONE_TOKEN is set"


def add_softphone(
    app: FastAPI,
    settings: Settings,
    runtime: CallRuntime,
    issuer: StreamTokenIssuer,
    *,
    too_many: Callable[[Request], Response | None] | None = None,
) -> None:
    """Add ``GET /softphone`` and ``POST /softphone/call`` to ``app``.

    Args:
        app: the server.
        settings: process settings (default scenario, login token, public URL).
        runtime: the dialogue runtime (the scenarios).
        issuer: issues the stream tokens.
        too_many: the server's rate limit (a 429 response, or ``None`` to go on).
    """

    @app.get("/softphone", response_class=HTMLResponse)
    async def softphone_page() -> HTMLResponse:
        ids = list(getattr(runtime, "scenario_ids", lambda: [settings.default_scenario])())
        options = "".join(
            f'<option value="{html.escape(i)}"{" selected" if i == settings.default_scenario else ""}>'
            f"{html.escape(i)}</option>"
            for i in ids
        )
        login = _LOGIN if settings.softphone_token else ""
        page = _PAGE.replace("{{OPTIONS}}", options).replace("{{KEYS}}", _KEYS)
        page = page.replace("{{SCRIPT}}", SOFTPHONE_JS)
        return HTMLResponse(page.replace("{{LOGIN}}", login))

    @app.post("/softphone/call")
    async def softphone_call(request: Request) -> Response:
        refused = too_many(request) if too_many is not None else None
        if refused is not None:
            return refused
        origin = request.headers.get("origin")
        if not origin_allowed(origin, request.headers.get("host"), settings.public_url):
            return JSONResponse({"error": "origin not allowed"}, status_code=403)
        denied = softphone_login_error(request, settings)
        if denied is not None:
            log.warning("softphone: refused a call from %s: %s", request.client, denied)
            return JSONResponse({"error": denied}, status_code=401)
        scenario_id = request.query_params.get("scenario") or settings.default_scenario
        try:
            runtime.scenario(scenario_id)
        except AicallError as e:
            return JSONResponse({"error": str(e)}, status_code=404)
        call_sid = "SP" + uuid.uuid4().hex
        token = issuer.issue(StreamGrant(call_sid, scenario_id, caller="softphone"))
        base = str(request.base_url).rstrip("/")
        ws_base = "wss://" + base[8:] if base.startswith("https://") else "ws://" + base[7:]
        return JSONResponse(
            {
                "call_sid": call_sid,
                "scenario": scenario_id,
                "token": token,
                "stream_url": f"{ws_base}/twilio/media",
            }
        )


#: The login field, shown when ``AICALL_SOFTPHONE_TOKEN`` is set (Korean and English labels).
_LOGIN = (
    '<p><label>접속 토큰 / Access token <input id="token" type="password" '
    'autocomplete="current-password"></label></p>'
)

#: The keypad: a phone's twelve keys (the console's softphone panel shows the same), each sending Twilio's ``dtmf`` message.
KEYPAD_HTML = _KEYS = "".join(
    f'<button type="button" data-key="{k}" aria-label="key {k}">{k}</button>'
    for k in "123456789*0#"
)

_PAGE = r"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>aicall softphone</title>
<style>
 body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; }
 #log { border: 1px solid #ccc; min-height: 12rem; padding: .5rem; white-space: pre-wrap; }
 #keypad { display: grid; grid-template-columns: repeat(3, 3rem); gap: .25rem; margin: .5rem 0; }
 .agent { color: #064; } .caller { color: #036; } .info { color: #888; }
</style>
</head>
<body>
<h1>aicall softphone</h1>
<p>
 <label>Scenario <select id="scenario">{{OPTIONS}}</select></label>
 <button id="call">Call</button> <button id="hangup" disabled>Hang up</button>
 <span id="status">idle</span>
</p>
{{LOGIN}}
<div id="keypad" aria-label="keypad">{{KEYS}}</div>
<div id="log" aria-live="polite"></div>
<script>
{{SCRIPT}}</script>
</body>
</html>
"""

#: The page's script: Twilio's Media Streams protocol from the browser, the keypad, the live
#: transcript and each turn's latency. The console's softphone panel serves the same script
#: (it reads its token URL from ``data-call-url`` of ``#softphone`` and sends the CSRF token).
SOFTPHONE_JS = r""""use strict";
const $ = (id) => document.getElementById(id);
let ws = null, ctx = null, micNode = null, micStream = null, playTime = 0, sources = [];
let streamSid = "", pending = new Uint8Array(0);

let lastAgent = null;
// words shown by the page; the console's panel gives its own language's in data-l-* attributes
const labels = ($("softphone") || {}).dataset || {};
const say = (key, text) => labels[key] || text;
function show(cls, text) {
  const line = document.createElement("div");
  line.className = cls;
  line.textContent = (cls === "agent" ? say("lAgent", "agent") + ": " : cls === "caller" ? say("lYou", "you") + ": " : "") + text;
  $("log").appendChild(line);
  if (cls === "agent") lastAgent = line;
}
// per-turn latency (server-measured: end of the caller's speech to the reply's first audio)
function showTiming(msg) {
  if (!lastAgent || msg.voice_to_voice_ms == null) return;
  const tag = document.createElement("span");
  tag.className = "latency"; tag.textContent = " · " + msg.voice_to_voice_ms + " ms";
  lastAgent.appendChild(tag);
}
// G.711 mu-law
function muEncode(s) {
  let x = Math.max(-32768, Math.min(32767, Math.round(s * 32767))) >> 2;
  let mask = 0xFF; if (x < 0) { x = -x; mask = 0x7F; }
  x = Math.min(x, 8159) + 0x21;
  const ends = [0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF];
  let seg = 0; while (seg < 8 && x > ends[seg]) seg++;
  const code = seg >= 8 ? 0x7F : ((seg << 4) | ((x >> (seg + 1)) & 0x0F));
  return code ^ mask;
}
function muDecode(u) {
  u = ~u & 0xFF; const sign = u & 0x80, exp = (u >> 4) & 7, man = u & 0x0F;
  let mag = (((man << 3) + 0x84) << exp) - 0x84; return (sign ? -mag : mag) / 32768;
}
// The microphone's rate (44.1 or 48 kHz) down to the phone's 8 kHz: a windowed-sinc low-pass
// (cut-off 3.6 kHz) read at each output instant. A plain average of each ~6 input samples
// lets 4-8 kHz fold back into the band, which flipped Whisper's reading of words from run
// to run ("book a table" / "more catable") with the phase of the decimation.
function decimator(rate) {
  const ratio = rate / 8000, half = Math.ceil(ratio * 8), taps = 2 * half, phases = 64;
  const cut = 3600 / rate, table = [];
  for (let p = 0; p <= phases; p++) {
    const h = new Float32Array(taps); let sum = 0;
    for (let k = 0; k < taps; k++) {
      const t = k - half + 1 - p / phases, x = 2 * cut * t;
      h[k] = (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x)) * (0.54 + 0.46 * Math.cos(Math.PI * t / half));
      sum += h[k];
    }
    for (let k = 0; k < taps; k++) h[k] /= sum;
    table.push(h);
  }
  let held = new Float32Array(0), next = half - 1;
  return (input) => {
    const all = new Float32Array(held.length + input.length); all.set(held); all.set(input, held.length);
    const out = [];
    while (Math.floor(next) + half < all.length) {
      const i = Math.floor(next), h = table[Math.round((next - i) * phases)];
      let y = 0; for (let k = 0, j = i - half + 1; k < taps; k++, j++) y += h[k] * all[j];
      out.push(y); next += ratio;
    }
    const keep = Math.max(0, Math.floor(next) - half + 1);
    held = all.slice(keep); next -= keep;
    return out;
  };
}
function b64(bytes) { let s = ""; for (const b of bytes) s += String.fromCharCode(b); return btoa(s); }
function unb64(text) { const s = atob(text); const out = new Uint8Array(s.length); for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i); return out; }

function sendFrames(mu) {
  const all = new Uint8Array(pending.length + mu.length); all.set(pending); all.set(mu, pending.length);
  let i = 0;
  for (; i + 160 <= all.length; i += 160) {
    ws.send(JSON.stringify({event: "media", streamSid, media: {track: "inbound", payload: b64(all.subarray(i, i + 160))}}));
  }
  pending = all.slice(i);
}
function play(mu) {
  const buf = ctx.createBuffer(1, mu.length, 8000); const ch = buf.getChannelData(0);
  for (let i = 0; i < mu.length; i++) ch[i] = muDecode(mu[i]);
  const src = ctx.createBufferSource(); src.buffer = buf; src.connect(ctx.destination);
  playTime = Math.max(ctx.currentTime, playTime); src.start(playTime); playTime += buf.duration;
  sources.push(src); src.onended = () => { sources = sources.filter((s) => s !== src); };
}
function echoMark(name) {
  const wait = Math.max(0, playTime - ctx.currentTime) * 1000;
  setTimeout(() => { if (ws && ws.readyState === 1) ws.send(JSON.stringify({event: "mark", streamSid, mark: {name}})); }, wait);
}

async function call() {
  $("call").disabled = true; $("status").textContent = say("lDialling", "dialling");
  // the console embeds this script: it names its own token URL and sends its CSRF token
  const root = $("softphone");
  const url = root && root.dataset.callUrl ? root.dataset.callUrl
    : "/softphone/call?scenario=" + encodeURIComponent($("scenario").value);
  const headers = $("token") ? {Authorization: "Bearer " + $("token").value} : {};
  const csrf = document.querySelector('meta[name="csrf-token"]');
  if (csrf) headers["X-CSRF-Token"] = csrf.content;
  const r = await fetch(url, {method: "POST", headers, credentials: "same-origin"});
  const info = await r.json();
  if (!r.ok) { show("info", info.error || say("lFailed", "call failed")); $("call").disabled = false; return; }
  streamSid = "MZ" + Math.random().toString(16).slice(2);
  ctx = new AudioContext();
  micStream = await navigator.mediaDevices.getUserMedia({audio: {echoCancellation: true}});
  ws = new WebSocket(info.stream_url);
  ws.onopen = () => {
    ws.send(JSON.stringify({event: "connected", protocol: "Call", version: "1.0.0"}));
    ws.send(JSON.stringify({event: "start", streamSid, start: {streamSid, callSid: info.call_sid,
      accountSid: "softphone", tracks: ["inbound"],
      customParameters: {token: info.token, scenario: info.scenario, softphone: "1"},
      mediaFormat: {encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1}}}));
    const source = ctx.createMediaStreamSource(micStream);
    micNode = ctx.createScriptProcessor(2048, 1, 1);
    const decimate = decimator(ctx.sampleRate);
    micNode.onaudioprocess = (e) => {
      const out = Uint8Array.from(decimate(e.inputBuffer.getChannelData(0)), muEncode);
      if (ws && ws.readyState === 1) sendFrames(out);
    };
    source.connect(micNode); micNode.connect(ctx.destination);
    $("status").textContent = say("lConnected", "connected"); $("hangup").disabled = false;
  };
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.event === "media") play(unb64(msg.media.payload));
    else if (msg.event === "mark") echoMark(msg.mark.name);
    else if (msg.event === "clear") { for (const s of sources) { try { s.stop(); } catch (e) {} } sources = []; playTime = ctx.currentTime; }
    else if (msg.event === "transcript") show(msg.role, msg.text);
    else if (msg.event === "turn_timing") showTiming(msg);
  };
  ws.onclose = () => { cleanup(); show("info", say("lEnded", "call ended")); };
}
function cleanup() {
  if (micNode) micNode.disconnect();
  if (micStream) micStream.getTracks().forEach((t) => t.stop());
  micNode = null; micStream = null; $("status").textContent = say("lIdle", "idle");
  $("call").disabled = false; $("hangup").disabled = true;
}
function hangup() {
  if (ws && ws.readyState === 1) { ws.send(JSON.stringify({event: "stop", streamSid, stop: {}})); ws.close(); }
  cleanup();
}
// the keypad sends Twilio's dtmf messages, as a phone's keys would
let dtmfSeq = 0;
for (const key of document.querySelectorAll("#keypad button")) {
  key.onclick = () => {
    if (!ws || ws.readyState !== 1) return;
    ws.send(JSON.stringify({event: "dtmf", streamSid, sequenceNumber: String(++dtmfSeq),
      dtmf: {track: "inbound_track", digit: key.dataset.key}}));
  };
}
$("call").onclick = call; $("hangup").onclick = hangup;
"""
