"""OSMnx internals used by emob-sim (tested on osmnx 2.1.1; pinned ``<2.2``).

OSMnx 2 keeps its exception classes in the private module ``osmnx._errors`` and the tag filter
of its network queries in ``osmnx._overpass._get_network_filter``; neither is re-exported.
"""

from __future__ import annotations

from osmnx import _errors, _overpass

__all__ = ["InsufficientResponseError", "ResponseStatusCodeError", "network_way_filter"]

#: raised by OSMnx when a query (Overpass, Nominatim, a local ``.osm`` file) returns no usable
#: data: no nodes or ways, no features, a place the geocoder does not find
InsufficientResponseError = _errors.InsufficientResponseError
#: raised by OSMnx when a server answers with an error status code
ResponseStatusCodeError = _errors.ResponseStatusCodeError


def network_way_filter(network_type: str) -> str:
    """OSMnx's Overpass tag filter for the ways of ``network_type``.

    Parameters
    ----------
    network_type
        ``"all"``, ``"all_public"``, ``"bike"``, ``"drive"``, ``"drive_service"`` or ``"walk"``.

    Returns
    -------
    str
        A run of Overpass tag brackets, e.g. ``'["highway"]["area"!~"yes"]...'``; it honours
        ``osmnx.settings.default_access``.

    Raises
    ------
    ValueError
        If OSMnx does not know ``network_type``.
    """
    return _overpass._get_network_filter(network_type)
