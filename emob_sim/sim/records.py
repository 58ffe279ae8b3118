"""What the simulation records: event codes, record fields, the :class:`Ledger`."""

from __future__ import annotations

from array import array

import numpy as np
import simpy

__all__ = [
    "Ledger",
    "EVENT_NAMES",
    "TRIP_STATUS",
    "EVENT_FIELDS",
    "SESSION_FIELDS",
    "ABANDON_FIELDS",
    "LOCATIONS",
    "withdraw",
    "GAVE_UP",
]

EVENT_NAMES = np.array(
    ["depart", "arrive", "queue", "plug_in", "plug_out", "abandon", "stranded", "home_charge"],
    dtype=object,
)
DEPART, ARRIVE, QUEUE, PLUG_IN, PLUG_OUT, ABANDON, STRANDED, HOME = range(8)
#: fields of the ledger's records
EVENT_FIELDS = ("time_s", "vehicle_id", "trip_id", "code", "site_idx", "soc")
SESSION_FIELDS = (
    "vehicle_id",
    "trip_id",
    "site_idx",
    "arrive_s",
    "start_s",
    "end_s",
    "energy_kwh",
    "soc_start",
    "soc_end",
    "location",
)
#: where a session happened, by code (the sessions' ``location``)
LOCATIONS = ["en_route", "destination", "overnight"]
EN_ROUTE, DESTINATION, OVERNIGHT = range(3)
ABANDON_FIELDS = ("vehicle_id", "trip_id", "site_idx", "arrive_s", "leave_s")
#: trip status by ledger code
TRIP_STATUS = ["completed", "stranded"]
COMPLETED, STRANDED_TRIP = range(2)


class Ledger:
    """What the simulation records: per-trip and per-vehicle arrays and row lists."""

    def __init__(self, n_vehicles: int, n_trips: int) -> None:
        self.status = np.zeros(n_trips, dtype=np.int8)
        self.arrive_s = np.full(n_trips, np.nan)
        self.km = np.zeros(n_trips)
        self.used_kwh = np.zeros(n_trips)
        self.charges = np.zeros(n_trips, dtype=np.int64)
        self.final_soc = np.zeros(n_vehicles)
        self.home_kwh = np.zeros(n_vehicles)
        self.rescue_kwh = np.zeros(n_vehicles)
        # records as flat arrays of doubles (exact for the integer fields: 8 bytes a value, read
        # without a copy), one record after the other
        #: EVENT_FIELDS of each event; the position breaks ties of a vehicle's events
        self.events = array("d")
        #: SESSION_FIELDS of each public charging session
        self.sessions = array("d")
        #: ABANDON_FIELDS of each give-up at a site
        self.abandons = array("d")


#: value of a plug request withdrawn because the driver gave up waiting
GAVE_UP = "gave up"


def withdraw(req: simpy.Event) -> None:
    """Take a still waiting plug request out of its queue and wake its process."""
    if not req.triggered:
        req.cancel()
        req.succeed(GAVE_UP)
