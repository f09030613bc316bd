"""The platform's own part of the app: health, accounts, fairs, and the /fair live channel."""

from __future__ import annotations

from server import demo, health
from server.fairs import routes as fair_routes
from server.features import Feature, Platform
from server.identity import routes as identity_routes
from server.realtime.fair import FairNamespace


def _namespaces(platform: Platform) -> list[FairNamespace]:
    return [FairNamespace()]


feature = Feature(
    name="core",
    routes=[*health.routes, *identity_routes.routes, *fair_routes.routes],
    namespaces=_namespaces,
    seed_demo=demo.seed,
)
