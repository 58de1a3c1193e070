"""A session log as a FIT activity file: one lap per interval, the session's RPE."""

import datetime
import zlib

from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.activity_message import ActivityMessage
from fit_tool.profile.messages.event_message import EventMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.lap_message import LapMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.profile_type import (
    Activity,
    Event,
    EventType,
    FileType,
    Intensity,
    LapTrigger,
    Manufacturer,
    SessionTrigger,
    Sport,
)

INTENSITY = {"warmup": Intensity.WARMUP, "work": Intensity.ACTIVE, "rest": Intensity.REST,
             "recover": Intensity.RECOVERY, "cooldown": Intensity.COOLDOWN}
# FIT time starts at 1989-12-31T00:00:00Z; a session whose date the device never knew is
# placed there (FIT needs a timestamp; readers show it as an obviously unknown date).
FIT_EPOCH = datetime.datetime(1989, 12, 31, tzinfo=datetime.timezone.utc)
PRODUCT = 1  # our product number under Manufacturer.DEVELOPMENT


def start_ms(session):
    """Session start as Unix milliseconds (the FIT epoch when the date is unknown)."""
    if not session.get("date"):
        return int(FIT_EPOCH.timestamp() * 1000)
    d = datetime.datetime.fromisoformat(session["date"].replace("Z", "+00:00"))
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return int(round(d.timestamp() * 1000))


def _serial(device_id):
    """A stable 32-bit serial number from the device id."""
    return zlib.crc32(device_id.encode("utf-8")) or 1


def _pause_shares(session):
    """Seconds of pause per interval: the session's paused time spread over paused intervals."""
    ivs = session["intervals"]
    paused = session.get("paused_s") or 0.0
    marked = [i for i, iv in enumerate(ivs) if iv.get("paused")]
    if not marked and ivs and paused:
        marked = [len(ivs) - 1]
    share = paused / len(marked) if marked else 0.0
    return [share if i in marked else 0.0 for i in range(len(ivs))]


def activity_bytes(session):
    """The FIT activity file of one session dict, as bytes."""
    t0 = start_ms(session)
    b = FitFileBuilder(auto_define=True, min_string_size=16)
    m = FileIdMessage()
    m.type = FileType.ACTIVITY
    m.manufacturer = Manufacturer.DEVELOPMENT.value
    m.product = PRODUCT
    m.serial_number = _serial(session["device_id"])
    m.time_created = t0
    b.add(m)
    b.add(_event(t0, EventType.START))
    at = t0
    laps = []
    timer = 0.0
    shares = _pause_shares(session)
    for i, (iv, pause) in enumerate(zip(session["intervals"], shares, strict=True)):
        actual = float(iv["actual_s"])
        end = at + int(round((actual + pause) * 1000))
        rec = RecordMessage()
        rec.timestamp = at
        b.add(rec)
        lap = LapMessage()
        lap.message_index = i
        lap.event = Event.LAP
        lap.event_type = EventType.STOP
        lap.start_time = at
        lap.timestamp = end
        lap.total_elapsed_time = actual + pause
        lap.total_timer_time = actual
        lap.intensity = INTENSITY.get(iv["kind"], Intensity.OTHER)
        lap.lap_trigger = LapTrigger.MANUAL if iv.get("skipped") or iv.get(
            "planned_s") is None else LapTrigger.TIME
        lap.sport = Sport.TRAINING
        if iv.get("reps"):
            lap.total_cycles = int(iv["reps"])
        laps.append(lap)
        timer += actual
        at = end
    rec = RecordMessage()
    rec.timestamp = at
    b.add(rec)
    b.add(_event(at, EventType.STOP_ALL))
    b.add_all(laps)
    s = SessionMessage()
    s.message_index = 0
    s.event = Event.SESSION
    s.event_type = EventType.STOP
    s.start_time = t0
    s.timestamp = at
    s.sport = Sport.TRAINING
    s.total_elapsed_time = (at - t0) / 1000.0
    s.total_timer_time = timer
    s.first_lap_index = 0
    s.num_laps = len(laps)
    s.trigger = SessionTrigger.ACTIVITY_END
    if session.get("rpe"):
        s.workout_rpe = int(session["rpe"]) * 10  # FIT stores RPE x10 (Borg CR10 scale)
    b.add(s)
    a = ActivityMessage()
    a.timestamp = at
    a.total_timer_time = timer
    a.num_sessions = 1
    a.type = Activity.MANUAL
    a.event = Event.ACTIVITY
    a.event_type = EventType.STOP
    b.add(a)
    return b.build().to_bytes()


def _event(ms, kind):
    e = EventMessage()
    e.event = Event.TIMER
    e.event_type = kind
    e.timestamp = ms
    return e


def file_name(session):
    """A file name for a session's activity: device and sequence number."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in session["device_id"])
    return "%s-%05d.fit" % (safe or "device", session["seq"])
