"""The platform's own part of the app: health, accounts, fairs, e-mail and the /fair channel."""

from __future__ import annotations

from collections.abc import Mapping

from server import demo, health
from server.fairs import routes as fair_routes
from server.features import Feature, Job, Platform, Service
from server.identity import recovery
from server.identity import routes as identity_routes
from server.mail import routes as mail_routes
from server.mail import transport
from server.mail.sender import SERVICE, Sender
from server.realtime.fair import FairNamespace


def _namespaces(platform: Platform) -> list[FairNamespace]:
    return [FairNamespace()]


def _services(platform: Platform) -> Mapping[str, Service]:
    sender = Sender(platform.database, platform.settings, transport.for_settings(platform.settings))
    return {SERVICE: sender}


def _jobs(platform: Platform) -> list[Job]:
    return [platform.service(SERVICE, Sender).send_due]


feature = Feature(
    name="core",
    routes=[
        *health.routes,
        *identity_routes.routes,
        *recovery.routes,
        *mail_routes.routes,
        *fair_routes.routes,
    ],
    namespaces=_namespaces,
    services=_services,
    jobs=_jobs,
    seed_demo=demo.seed,
)
