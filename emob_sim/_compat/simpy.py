"""SimPy internals used by emob-sim (tested on simpy 4.1.2; pinned ``<4.2``).

SimPy lets a subclass of a resource change how requests are granted by overriding the
``_do_put`` and ``_do_get`` hooks (documented in ``simpy.resources.base.BaseResource``, but
named as private); the resource's environment is ``_env`` and the pass over the waiting
requests is ``_trigger_put``.
"""

from __future__ import annotations

import simpy
from simpy.resources.resource import Release, Request

__all__ = ["OrderedUsersResource"]


class OrderedUsersResource(simpy.Resource):
    """A ``simpy.Resource`` (first come, first served) whose users are an insertion-ordered dict.

    ``simpy.Resource`` keeps its users in a list and finds a released request with
    ``list.remove``, in time proportional to the users; here a release takes constant time.
    ``count``, ``len(users)`` and iterating ``users`` (in order of service) work as before.
    Holders that are not SimPy requests may be added to ``users`` directly; after removing
    one, call :meth:`serve_waiting`.
    """

    def __init__(self, env: simpy.Environment, capacity: int = 1) -> None:
        super().__init__(env, capacity)
        self.users = {}  # type: ignore[assignment]  # holder -> None, in order of service

    def serve_waiting(self) -> None:
        """Grant waiting requests, first come first served, while a unit is free."""
        self._trigger_put(None)

    def _do_put(self, event: Request) -> None:
        if len(self.users) < self.capacity:
            self.users[event] = None
            event.usage_since = self._env.now
            event.succeed()

    def _do_get(self, event: Release) -> None:
        self.users.pop(event.request, None)
        event.succeed()
