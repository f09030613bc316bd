"""The booths feature's HTTP routes, mounted by server/app.py."""

from booths.routes import editing, pages, staff

routes = [*pages.routes, *editing.routes, *staff.routes]
