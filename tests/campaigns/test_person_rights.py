"""A person's rows in campaign lists go with ``aicall person export|delete`` (their name, number,
every attempt and why it was or was not reached), and nobody else's."""

from __future__ import annotations

from pathlib import Path

from agent.campaigns import Campaigns, FixedClock
from agent.retention import delete_person, export_person
from agent.store import Database
from tests.campaigns.conftest import RecordingDialer, kst, setup_campaign
from tests.campaigns.test_rules import attempt_of, dial_all


def test_a_campaign_persons_rows_are_exported_and_deleted_by_number_or_name(
    campaigns: Campaigns,
    sqlite_db: Database,
    clock: FixedClock,
    dialer: RecordingDialer,
    tmp_path: Path,
) -> None:
    people = [("김영희", "010-1234-5678"), ("John Park", "010-2222-3333")]
    setup_campaign(campaigns, tmp_path, people)
    clock.set(kst(21, 10))
    for sid in dial_all(campaigns, "test", dialer):
        campaigns.on_status(attempt_of(campaigns, sid), sid, "no-answer")

    exported = export_person(sqlite_db, tmp_path, "+82 10-1234-5678")
    (row,) = exported["campaign_people"]
    assert (row["name"], row["phone"]) == ("김영희", "+821012345678")
    moves = [t["to_state"] for a in row["attempts"] for t in a["transitions"]]
    assert moves[:3] == ["queued", "dialing", "retry-scheduled"]
    assert export_person(sqlite_db, tmp_path, "John Park")["campaign_people"][0]["phone"] == (
        "+821022223333"
    )

    done = delete_person(sqlite_db, tmp_path, "김영희")
    assert done.campaign_people == 1 and not done.nothing
    assert export_person(sqlite_db, tmp_path, "010-1234-5678")["campaign_people"] == []
    assert campaigns.history("test", "김영희") == []
    (left,) = campaigns.report("test").people  # the other person is untouched
    assert left.name == "John Park"
