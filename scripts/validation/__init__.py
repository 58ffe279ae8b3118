"""The checks and the report of scripts/validation_report.py, one module per kind of check.

- :mod:`validation.check`: the record every check returns (:class:`~validation.check.Check`);
- :mod:`validation.demand`: trips, road distances between towns and the electric fleet;
- :mod:`validation.energy`: consumption per km and energy and trip conservation;
- :mod:`validation.charging`: one site in isolation (M/G/1) and where public energy goes;
- :mod:`validation.sensitivity`: the headline results under refitted calibrations;
- :mod:`validation.writing`: docs/validation.md as text;
- :mod:`validation.digest`: the digest of the report's inputs (these modules included).

Imported as the package ``validation`` with scripts/ on the path, as
``python scripts/validation_report.py`` runs it.
"""
