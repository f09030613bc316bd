"""Organiser mode: the optimiser run on a fair's accepted requests, previewed, then published.

`instance` turns the database into the scheduling format, `worker` solves it in another
process, `runs` keeps each run's record, and `runner` drives a run from the app's event loop.
"""
