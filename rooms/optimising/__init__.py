"""Organiser mode: the optimiser run on a fair's accepted requests, previewed, then published.

`instance` turns the database into the scheduling format, `worker` solves it in another
process, `runs` keeps each run's record, `runner` drives a run from the app's event loop,
`tables` numbers the tables of proposed meetings, `preview` lays a run out for the organiser
and `publish` books it.
"""
