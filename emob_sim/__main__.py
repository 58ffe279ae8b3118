"""``python -m emob_sim`` runs the command line."""

from emob_sim.cli import main

main()
