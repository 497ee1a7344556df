"""Recurring events through an independent client (Debian's python3-caldav and python3-icalendar).

usage: caldav_series.py write|read URL USER PASSWORD CALENDAR_URL [UID]
write: saves a weekly series in Europe/Berlin (6 occurrences from 2030-10-07 09:00) whose third
occurrence is moved to 15:00 and renamed (a RECURRENCE-ID override) and whose fourth is cancelled
(an EXDATE); prints its UID as JSON.
read UID: prints the object as python-icalendar reads it: the master's DTSTART (with its zone), EXDATEs
(UTC) and every override (RECURRENCE-ID and DTSTART in UTC, SUMMARY, STATUS), as JSON.
"""
import json
import sys
import uuid
from datetime import timezone

import caldav

mode, url, user, password, calendar_url = sys.argv[1:6]
client = caldav.DAVClient(url=url, username=user, password=password)
calendar = caldav.Calendar(client=client, url=calendar_url)


def utc(value):
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


if mode == "write":
    uid = f"py-series-{uuid.uuid4()}"
    calendar.save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//python-caldav series test//EN\r\n"
        "BEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20300101T000000Z\r\nLAST-MODIFIED:20300101T000000Z\r\n"
        "DTSTART;TZID=Europe/Berlin:20301007T090000\r\nDTEND;TZID=Europe/Berlin:20301007T100000\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=6\r\n"
        "EXDATE;TZID=Europe/Berlin:20301028T090000\r\n"
        "SUMMARY:Py series\r\nLOCATION:Berlin\r\n"
        "END:VEVENT\r\n"
        "BEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20300101T000000Z\r\nLAST-MODIFIED:20300101T000000Z\r\n"
        "RECURRENCE-ID;TZID=Europe/Berlin:20301021T090000\r\n"
        "DTSTART;TZID=Europe/Berlin:20301021T150000\r\nDTEND;TZID=Europe/Berlin:20301021T160000\r\n"
        "SUMMARY:Py series (afternoon)\r\nLOCATION:Berlin\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    print(json.dumps({"uid": uid}))
elif mode == "read":
    uid = sys.argv[6]
    event = calendar.event_by_uid(uid)
    master = None
    overrides = []
    for component in event.icalendar_instance.walk("VEVENT"):
        if component.get("recurrence-id") is None:
            master = component
        else:
            overrides.append(
                {
                    "recurrenceId": utc(component.decoded("recurrence-id")),
                    "start": utc(component.decoded("dtstart")),
                    "summary": str(component.get("summary")),
                    "status": str(component.get("status", "")),
                }
            )
    exdates = []
    raw = master.get("exdate")
    for entry in raw if isinstance(raw, list) else [raw] if raw is not None else []:
        exdates += [utc(item.dt) for item in entry.dts]
    start = master.decoded("dtstart")
    print(
        json.dumps(
            {
                "start": utc(start),
                "tzid": str(master["dtstart"].params.get("TZID", "")),
                "zone": str(getattr(start.tzinfo, "key", start.tzinfo)),
                "rrule": master.get("rrule").to_ical().decode(),
                "exdates": sorted(exdates),
                "overrides": sorted(overrides, key=lambda o: o["recurrenceId"]),
            }
        )
    )
