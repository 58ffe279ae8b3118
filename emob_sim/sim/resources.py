"""SimPy building blocks that keep large runs fast: plugs and long waits.

- :class:`Plugs`: a ``simpy.Resource`` whose release takes constant time, and that grants
  a free plug without SimPy events.
- :class:`LaterWaits`: long waits kept out of SimPy's event heap until their hour begins.

Both change only how fast SimPy finds the next event, not which events happen.
"""

from __future__ import annotations

from collections.abc import Generator

import simpy

from emob_sim._compat.simpy import OrderedUsersResource

__all__ = ["Plugs", "LaterWaits"]


class Plugs(OrderedUsersResource):
    """A site's plugs: ``simpy.Resource`` (first come, first served) with cheaper bookkeeping.

    - ``simpy.Resource`` keeps its users in a list and finds a released request with
      ``list.remove``, in time proportional to the plugs in use; large scenarios (plugs scaled
      with the fleet) have sites with hundreds of plugs. Here the users are an
      insertion-ordered dict (:class:`emob_sim._compat.simpy.OrderedUsersResource`), so
      ``count`` and iterating ``users`` work as before.
    - :meth:`take` and :meth:`give_back` take a free plug and give it back without the two
      SimPy events (the granted request, the release) that nobody waits for; a car that has
      to wait still :meth:`request` s a plug and yields the request, and :meth:`give_back`
      hands the plug to the first waiting request at once.
    """

    def take(self) -> object | None:
        """A plug now if one is free and nobody waits: its holder token, else None."""
        if len(self.users) < self.capacity and not self.put_queue:
            holder = object()
            self.users[holder] = None
            return holder
        return None

    def give_back(self, holder: object) -> None:
        """Free the plug of ``holder`` (from :meth:`take` or a granted request); serve the queue."""
        del self.users[holder]
        self.serve_waiting()


class LaterWaits:
    """Long waits kept out of SimPy's event heap until the hour in which they end begins.

    SimPy keeps every scheduled event in one binary heap. Vehicles waiting hours or days for
    their next charging stop would make up most of it, and every heap operation costs the log
    of its size. A wait that ends in a later hour waits first for the start of that hour (one
    timeout per hour, shared by every process waiting for it), then for the rest: the heap
    holds the waits that end in the current hour and one entry per later hour.
    """

    #: length of the hours (seconds)
    bucket_s = 3600.0

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        #: the start of each later hour that somebody waits for
        self.hour_starts: dict[int, simpy.Timeout] = {}

    def wait_until(self, t: float) -> Generator[simpy.Event, None, None]:
        """Wait until time ``t`` (a generator: ``yield from`` it in a process)."""
        env = self.env
        hour = int(t // self.bucket_s)
        start = hour * self.bucket_s
        if start > env.now:
            ev = self.hour_starts.get(hour)
            if ev is None:
                ev = self.hour_starts[hour] = env.timeout(start - env.now)
                # once the hour has begun nobody waits for its start: forget it
                ev.callbacks.append(lambda _: self.hour_starts.pop(hour))
            yield ev
        if t > env.now:
            yield env.timeout(t - env.now)
