"""Care-call campaigns: lists of people called on a schedule, retried by outcome, reported.

The API the CLI (``aicall campaign``) and the console use::

    campaigns = Campaigns(db, clock)                       # agent.campaigns.service
    campaigns.create(CampaignSpec("gangnam-weekly", "carecall-ko", caller_id="+8270..."))
    campaigns.import_people("gangnam-weekly", read_people(Path("people.xlsx"), region="KR"))
    campaigns.start("gangnam-weekly")
    queue = build_queue(settings)                          # huey: aicall worker runs it
    queue.enqueue_dispatch("gangnam-weekly")
    campaigns.report("gangnam-weekly")                     # reached / retried / gave-up / flagged

See docs/campaigns.md.
"""

from agent.campaigns.clock import Clock, FileClock, FixedClock, SystemClock, clock_from_spec
from agent.campaigns.importer import ImportProblem, ImportReport, PersonRow, read_people
from agent.campaigns.policy import MachinePolicy, RetryPolicy, RetryRule, Schedule
from agent.campaigns.queue import CampaignQueue, build_queue, make_huey
from agent.campaigns.service import (
    AnswerAction,
    Campaign,
    CampaignReport,
    Campaigns,
    CampaignSpec,
    CampaignStatus,
    Claim,
    Dialer,
    PersonResult,
    StatusResult,
    Transition,
)

__all__ = [
    "AnswerAction",
    "Campaign",
    "CampaignQueue",
    "CampaignReport",
    "CampaignSpec",
    "CampaignStatus",
    "Campaigns",
    "Claim",
    "Clock",
    "Dialer",
    "FileClock",
    "FixedClock",
    "ImportProblem",
    "ImportReport",
    "MachinePolicy",
    "PersonResult",
    "PersonRow",
    "RetryPolicy",
    "RetryRule",
    "Schedule",
    "StatusResult",
    "SystemClock",
    "Transition",
    "build_queue",
    "clock_from_spec",
    "make_huey",
    "read_people",
]
