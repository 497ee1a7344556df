"""An independent CalDAV/CardDAV client for the ACT tests: Debian's python3-caldav.

usage: caldav_client.py write|read URL USER PASSWORD CALENDAR_URL ADDRESSBOOK_URL
write: saves an event, a task (through caldav's calendar API) and a contact (a plain PUT: caldav has no
CardDAV API); prints their UIDs as JSON.
read: prints every event summary, task summary and vCard FN it finds, as JSON.
"""
import json
import sys
import uuid
from urllib.parse import urljoin

import caldav

mode, url, user, password, calendar_url, book_url = sys.argv[1:7]
client = caldav.DAVClient(url=url, username=user, password=password)
calendar = caldav.Calendar(client=client, url=calendar_url)

if mode == "write":
    event_uid, task_uid, card_uid = (f"py-{uuid.uuid4()}" for _ in range(3))
    calendar.save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//python-caldav test//EN\r\n"
        "BEGIN:VEVENT\r\n"
        f"UID:{event_uid}\r\nDTSTAMP:20300101T000000Z\r\n"
        "DTSTART;TZID=Europe/Paris:20300910T140000\r\nDTEND;TZID=Europe/Paris:20300910T150000\r\n"
        "SUMMARY:Python event\r\nLOCATION:Paris\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    calendar.save_todo(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//python-caldav test//EN\r\n"
        "BEGIN:VTODO\r\n"
        f"UID:{task_uid}\r\nDTSTAMP:20300101T000000Z\r\nDUE:20300915T100000Z\r\n"
        "SUMMARY:Python task\r\nPRIORITY:1\r\nPERCENT-COMPLETE:10\r\nSTATUS:IN-PROCESS\r\n"
        "END:VTODO\r\nEND:VCALENDAR\r\n"
    )
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\n"
        f"UID:{card_uid}\r\nFN:Pia Python\r\nN:Python;Pia;;;\r\nEMAIL:pia@example.org\r\nORG:Snake Ltd\r\n"
        "END:VCARD\r\n"
    )
    response = client.put(f"{book_url}{card_uid}.vcf", card, {"Content-Type": "text/vcard; charset=utf-8"})
    assert response.status in (201, 204), response.status
    print(json.dumps({"event": event_uid, "task": task_uid, "card": card_uid}))
elif mode == "read":
    events = [str(e.icalendar_component.get("summary")) for e in calendar.events()]
    todos = [str(t.icalendar_component.get("summary")) for t in calendar.todos(include_completed=True)]
    listing = client.propfind(book_url, depth=1)
    cards = []
    for href in listing.find_objects_and_props().keys():
        if str(href).endswith(".vcf"):
            body = client.request(urljoin(book_url, str(href))).raw
            body = body.decode() if isinstance(body, bytes) else body
            cards += [line[3:] for line in body.splitlines() if line.startswith("FN:")]
    print(json.dumps({"events": events, "todos": todos, "cards": cards}))
