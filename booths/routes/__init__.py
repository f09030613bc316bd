"""The booths feature's HTTP routes, mounted by server/app.py."""

from booths.routes import calls, editing, pages, staff

routes = [*pages.routes, *calls.routes, *editing.routes, *staff.routes]
