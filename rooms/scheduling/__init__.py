"""Meeting scheduling: the JSON format, greedy first-fit, the CP-SAT optimiser and a validator.

Pure Python and OR-Tools; nothing here imports the web platform, so a worker process can run it.
"""

from rooms.scheduling.format import (
    Assignment,
    Instance,
    Meeting,
    Participant,
    Schedule,
    Slot,
    ValidationError,
    dump_schedule,
    load_instance,
    parse_instance,
    parse_schedule,
    schedule_to_dict,
)
from rooms.scheduling.greedy import greedy
from rooms.scheduling.solver import solve
from rooms.scheduling.validate import validate_schedule

__all__ = [
    "Assignment",
    "Instance",
    "Meeting",
    "Participant",
    "Schedule",
    "Slot",
    "ValidationError",
    "dump_schedule",
    "greedy",
    "load_instance",
    "parse_instance",
    "parse_schedule",
    "schedule_to_dict",
    "solve",
    "validate_schedule",
]
