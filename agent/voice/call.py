"""One phone call: the pipecat pipeline that connects a Twilio media stream to the dialogue.

::

    transport in (Twilio frames -> 16 kHz PCM) -> Silero VAD -> recognition (faster-whisper)
        -> KeypadAggregator (DTMF entries) -> CallTimeLimit -> DeadAirWatch -> SilenceWatch
        -> DialogueProcessor (dialogue session, streamed synthesis, marks, barge-in)
        -> transport out
"""

from __future__ import annotations

import asyncio
import logging
import wave
from pathlib import Path
from typing import Any, Protocol

from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.audio.audio_buffer_processor import AudioBufferProcessor
from pipecat.processors.audio.vad_processor import VADProcessor
from pipecat.transports.websocket.fastapi import (
    FastAPIWebsocketParams,
    FastAPIWebsocketTransport,
)
from pipecat.workers.runner import WorkerRunner

from agent.config import Settings
from agent.journal import ActiveCall, CallJournal
from agent.voice.asr import RecognitionOptions
from agent.voice.dead_air import DeadAirWatch
from agent.voice.dialogue_port import DialoguePort, DialogueTimeouts, Handover
from agent.voice.dialogue_processor import DialogueProcessor
from agent.voice.endpointing import EndpointPolicy, session_judge
from agent.voice.engines import VoiceEngines
from agent.voice.frames import CallState
from agent.voice.keypad import KeypadAggregator
from agent.voice.playback import Playback
from agent.voice.recognition import SpeechRecognitionProcessor
from agent.voice.report import CallReport
from agent.voice.silence import SilenceWatch
from agent.voice.stream_guard import StreamGuard
from agent.voice.time_limit import CallTimeLimit
from common.ids import check_call_id
from telephony.twilio.protocol import StartMessage
from telephony.twilio.serializer import AicallTwilioSerializer, MediaStreamErrorFrame
from telephony.twilio.tokens import StreamGrant
from telephony.twilio.twiml import transfer_twiml

__all__ = ["CallRuntime", "endpoint_policy", "run_twilio_call", "twilio_handover"]

log = logging.getLogger(__name__)


class CallRuntime(Protocol):
    """What a call needs of ``agent.runtime.AgentRuntime``."""

    def scenario(self, scenario_id: str) -> Any:
        """The scenario (``.id``, ``.language``, ``.vocabulary``, ``.handover_number``)."""
        ...

    def new_call(
        self,
        scenario_id: str,
        *,
        caller: str | None,
        callee: str | None = None,
        call_id: str | None = None,
        direction: str | None = None,
        person: str | None = None,
    ) -> DialoguePort:
        """A new call session."""
        ...


def twilio_handover(settings: Settings, call_sid: str) -> Handover | None:
    """A hand-over that redirects the live call to ``<Dial>`` via Twilio's REST API.

    Returns ``None`` without Twilio credentials (the simulator, the softphone).
    """
    sid, token = settings.twilio_account_sid, settings.twilio_auth_token
    if not (sid and token):
        return None

    async def handover(number: str) -> bool:

        def update() -> None:
            from twilio.rest import Client

            Client(sid, token).calls(call_sid).update(twiml=transfer_twiml(number))

        try:
            await asyncio.wait_for(asyncio.to_thread(update), 10.0)
        except Exception as e:
            log.error("call %s: hand-over to %s failed: %s", call_sid, number, e)
            return False
        return True

    return handover


def endpoint_policy(settings: Settings) -> EndpointPolicy:
    """The end-of-turn policy of the process's calls (``AICALL_ENDPOINTING``)."""
    return EndpointPolicy(mode=settings.endpointing)


def _recorder(settings: Settings, call_id: str) -> Any:
    """A stereo recorder (caller left, agent right) writing ``recordings/<call_id>.wav``."""
    recorder = AudioBufferProcessor(sample_rate=8000, num_channels=2)
    path = Path(settings.data_dir) / "recordings" / f"{check_call_id(call_id)}.wav"

    @recorder.event_handler("on_audio_data")
    async def on_audio(_recorder: Any, audio: bytes, sample_rate: int, channels: int) -> None:
        def write() -> None:

            path.parent.mkdir(parents=True, exist_ok=True)
            with wave.open(str(path), "wb") as w:
                w.setnchannels(channels)
                w.setsampwidth(2)
                w.setframerate(sample_rate)
                w.writeframes(audio)

        if audio:
            await asyncio.to_thread(write)

    return recorder


async def run_twilio_call(
    websocket: Any,
    start: StartMessage,
    grant: StreamGrant,
    *,
    runtime: CallRuntime,
    engines: VoiceEngines,
    settings: Settings,
    endpoint: EndpointPolicy | None = None,
    timeouts: DialogueTimeouts | None = None,
) -> CallReport:
    """Run one call on an accepted WebSocket whose ``start`` message was already read.

    Args:
        websocket: the FastAPI WebSocket (accepted).
        start: the stream's ``start`` message.
        grant: what the stream token granted (scenario, caller, callee).
        runtime: the dialogue runtime shared by calls.
        engines: the speech engines shared by calls.
        settings: process settings (data directory, limits, Twilio credentials).
        endpoint: end-of-turn policy.
        timeouts: timers of the call.

    Returns:
        The call's voice record (also written to ``<data_dir>/calls``).
    """
    endpoint = endpoint or endpoint_policy(settings)
    timeouts = timeouts or DialogueTimeouts(
        max_call=settings.max_call_seconds, silence=settings.silence_reprompt_seconds
    )
    scenario = runtime.scenario(grant.scenario)
    language = scenario.language
    # an outbound call (``aicall call``) is stored as such, its care-call answers under the person
    outbound: dict[str, Any] = {"direction": grant.direction} if grant.direction else {}
    if grant.person:
        outbound["person"] = grant.person
    session = await asyncio.to_thread(
        runtime.new_call,
        scenario.id,
        caller=grant.caller,
        callee=grant.callee,
        call_id=start.call_sid,
        **outbound,
    )
    # in the journal until its end is stored: a server killed mid-call finds it at restart
    journal = CallJournal(Path(settings.data_dir) / "active")
    active = ActiveCall(session.call_id, scenario.id, grant.person, grant.caller, grant.callee)
    await asyncio.to_thread(journal.add, active)
    report = CallReport(call_id=session.call_id, scenario=scenario.id)
    state = CallState()
    if endpoint.mode == "dialogue":  # end of turn from what was said (docs/voice.md)
        state.judge = session_judge(getattr(session, "understand", None), language)
    # closes a broken stream with its cause; remembers the peer's close code
    guard = StreamGuard(websocket)
    serializer = AicallTwilioSerializer(start.stream_sid, start.call_sid, on_error=guard.fail)

    transport = FastAPIWebsocketTransport(
        guard,  # type: ignore[arg-type]  # a proxy of the FastAPI WebSocket
        FastAPIWebsocketParams(
            audio_in_enabled=True,
            audio_out_enabled=True,
            add_wav_header=False,
            serializer=serializer,
            allowed_origins=[],
        ),
    )
    # Silero's ONNX session loads per call (~0.5 s on a busy machine; the watchdog caught it
    # blocking every call's audio): built in a worker thread, off the event loop
    vad = VADProcessor(vad_analyzer=await asyncio.to_thread(endpoint.vad_analyzer))
    recognition = SpeechRecognitionProcessor(
        engines.recognizer(language),
        RecognitionOptions(language, tuple(scenario.vocabulary or ())),
        state,
        endpoint=endpoint,
        forward_audio=settings.record_calls,
    )
    playback = Playback(timeouts.mark_grace)  # the dialogue's, read by the silence watch
    synthesizer = engines.synthesizer(language)
    # the read-back's fixed start ("So that's") plays from the cache while the values synthesise
    synthesizer.learn_templates((getattr(scenario, "templates", None) or {}).values())
    dialogue = DialogueProcessor(
        session,
        synthesizer,
        state,
        report,
        language=language,
        handover=twilio_handover(settings, start.call_sid),
        handover_number=scenario.handover_number,
        timeouts=timeouts,
        # the softphone page, or the console's (grants with caller "softphone" are issued only
        # by those two, the console's to a logged-in operator of the scenario's organisation)
        transcript_events=(settings.softphone or grant.caller == "softphone")
        and start.parameters.get("softphone") == "1",
        playback=playback,
    )
    keypad = KeypadAggregator(timeout=timeouts.dtmf)
    processors: list[Any] = [
        transport.input(),
        vad,
        recognition,
        keypad,
        CallTimeLimit(timeouts.max_call),
        DeadAirWatch(timeouts.dead_air),
        SilenceWatch(timeouts.silence, playback),
        dialogue,
        transport.output(),
    ]
    recorder = _recorder(settings, session.call_id) if settings.record_calls else None
    if recorder is not None:
        processors.append(recorder)
    pipeline = Pipeline(processors)
    worker = PipelineWorker(
        pipeline,
        params=PipelineParams(audio_in_sample_rate=16000, audio_out_sample_rate=8000),
        idle_timeout_secs=None,
        enable_rtvi=False,
        enable_turn_tracking=False,
    )

    @transport.event_handler("on_client_connected")
    async def on_connected(_transport: Any, _ws: Any) -> None:
        if recorder is not None:
            await recorder.start_recording()

    @transport.event_handler("on_client_disconnected")
    async def on_disconnected(_transport: Any, _ws: Any) -> None:
        # A stream that ends without a ``stop`` message was cut: that call failed.
        await worker.queue_frame(MediaStreamErrorFrame(reason=guard.disconnect_reason()))

    runner = WorkerRunner(handle_sigint=False)
    await runner.add_workers(worker)
    try:
        await runner.run()
    finally:
        for kind, count in serializer.faults.items():  # one line per kind, not one per message
            if count > 1:
                log.warning(
                    "call %s: %d malformed messages of kind %r", session.call_id, count, kind
                )
        stored: bool | None = dialogue.end_stored
        if report.status is None:
            report.status, report.reason = "failed", "pipeline stopped unexpectedly"
            try:
                stored = await asyncio.to_thread(session.close, "failed", report.reason)
            except Exception as e:
                log.error("call %s: close failed: %s", session.call_id, e)
        # the JSON file (bench/voice_latency.py reads it) and the voice_turns rows; never raises
        db = getattr(runtime, "db", None)
        report.keep = session.keep_values()
        await asyncio.to_thread(report.save, Path(settings.data_dir) / "calls", db)
        if stored is False:  # the database is down: store the end when it is back
            task = asyncio.create_task(_store_end_later(session, report, journal, db))
            _LATER.add(task)
            task.add_done_callback(_LATER.discard)
        else:
            await asyncio.to_thread(journal.remove, session.call_id)
    return report


#: ends of calls waiting for the database to come back
_LATER: set[asyncio.Task[None]] = set()


async def _store_end_later(
    session: DialoguePort,
    report: CallReport,
    journal: CallJournal,
    db: Any,
    *,
    every: float = 2.0,
    give_up_after: float = 600.0,
) -> None:
    """Store a call's end (and its voice turns) once the database answers again.

    Tried every ``every`` seconds for ``give_up_after`` seconds; after that (or when the
    server stops first) the journal keeps the call and the next start marks it interrupted.
    """
    deadline = asyncio.get_running_loop().time() + give_up_after
    while asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(every)
        if await asyncio.to_thread(session.close, report.status or "failed", report.reason):
            if db is not None:
                await asyncio.to_thread(report.save, None, db)
            await asyncio.to_thread(journal.remove, session.call_id)
            log.warning("call %s: its end is stored now that the database is back", session.call_id)
            return
    log.error("call %s: its end could not be stored; the next start marks it", session.call_id)
