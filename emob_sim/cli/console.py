"""What every ``emob-sim`` command prints through, and how it ends on bad input.

User text (paths, --set values, site and layout names, messages quoting them) is printed
literally: markup is off on both consoles, styles are given as Text spans, and table cells and
status lines are Text objects (a status line would parse a plain string as markup).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import typer
from rich.console import Console
from rich.text import Text

from emob_sim.errors import EmobSimError

#: results, on stdout
console = Console(markup=False)
#: progress, warnings and errors, on stderr
err_console = Console(stderr=True, markup=False)

#: the exit code of bad input (one line on stderr, nothing written)
EXIT_BAD_INPUT = 2


def fail(exc: BaseException) -> None:
    """End the command on bad input: ``error: <message>`` on one line, exit code 2.

    Parameters
    ----------
    exc : BaseException
        The error; its text is the message.

    Raises
    ------
    typer.Exit
        Always, with :data:`EXIT_BAD_INPUT`.
    """
    err_console.print(
        Text.assemble(("error:", "bold red"), " ", str(exc)), highlight=False, soft_wrap=True
    )
    raise typer.Exit(EXIT_BAD_INPUT)


def cell(value: object, *, style: str = "") -> Text:
    """A table cell (or title, with ``style="table.title"``) holding ``value`` as literal text.

    Parameters
    ----------
    value : object
        What the cell shows, as ``str(value)``.
    style : str
        A rich style for the whole text.

    Returns
    -------
    rich.text.Text
        The cell, never parsed as markup.
    """
    return Text(str(value), style=style)


def written(what: str, path: object, tail: str = "") -> None:
    """Print ``{what} {path}{tail}`` with the path in bold, on one line (for copy and paste).

    Parameters
    ----------
    what : str
        The words before the path (``"Results written to"``).
    path : object
        The folder or file written, as ``str(path)``.
    tail : str
        Words after the path.
    """
    console.print(Text.assemble(f"{what} ", (str(path), "bold"), tail), soft_wrap=True)


def setup_logging(verbose: bool) -> None:
    """With ``--verbose``, log the library's progress details on stderr.

    Parameters
    ----------
    verbose : bool
        Whether ``--verbose`` was given; without it nothing is set up.
    """
    if verbose:
        from rich.logging import RichHandler

        logging.basicConfig(
            level=logging.INFO, format="%(message)s", handlers=[RichHandler(console=err_console)]
        )


@contextlib.contextmanager
def progress_display(*, quiet: bool) -> Iterator[Callable[[str], None]]:
    """A callback for stage messages: a live status line on a terminal, else one line per
    stage with the elapsed time on stderr (for nohup, CI, schedulers); nothing with --quiet.

    An interruption (Ctrl-C, SIGTERM while writing) ends the command with a message and exit
    code 128 + the signal number; the message says whether an output folder was changed
    (:attr:`emob_sim.io.Interrupted.changed`).

    Parameters
    ----------
    quiet : bool
        Whether ``--quiet`` was given: the callback then prints nothing.

    Yields
    ------
    Callable[[str], None]
        Shows one stage message.

    Raises
    ------
    typer.Exit
        On an interruption, with exit code 128 + the signal number.
    """
    start = time.perf_counter()
    try:
        if quiet:
            yield lambda msg: None
        elif err_console.is_terminal:
            with err_console.status("starting") as status:
                yield lambda msg: status.update(Text(f"{msg} ..."))
        else:

            def log_line(msg: str) -> None:
                elapsed = time.perf_counter() - start
                err_console.print(f"[{elapsed:7.1f} s] {msg}", highlight=False, soft_wrap=True)

            yield log_line
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", 2)
        changed = getattr(exc, "changed", None) or "no output folder was changed"
        err_console.print(
            f"interrupted ({str(exc) or 'SIGINT'}): {changed}", highlight=False, soft_wrap=True
        )
        raise typer.Exit(128 + signum) from None


@contextlib.contextmanager
def writing(
    out: Path | None = None,
    *,
    kind: str = "",
    overwrite: bool = False,
    protect: Sequence[Path] = (),
    verbose: bool = False,
    quiet: bool = False,
) -> Iterator[Callable[[str], None]]:
    """The frame of a command that writes a folder (run, place, compare, plan).

    Sets up logging; checks ``out`` (when given) before any work, so that a folder that cannot
    be written is refused at once, not after the simulation; yields the :func:`progress_display`
    callback; and turns bad input (:class:`EmobSimError`) anywhere in the block into one line
    and exit code 2.

    Parameters
    ----------
    out : Path or None
        The folder the command writes; None when the library call checks it itself.
    kind : str
        The kind of output folder (``"place"``, ``"compare"``, ``"plan"``).
    overwrite : bool
        Whether ``--overwrite`` was given.
    protect : Sequence[Path]
        The command's input files, which ``out`` must not hold.
    verbose : bool
        Whether ``--verbose`` was given.
    quiet : bool
        Whether ``--quiet`` was given.

    Yields
    ------
    Callable[[str], None]
        Shows one stage message.

    Raises
    ------
    typer.Exit
        On bad input (exit code 2) or an interruption.
    """
    from emob_sim.io import check_out_dir

    setup_logging(verbose)
    try:
        if out is not None:
            check_out_dir(out, kind=kind, overwrite=overwrite, protect=list(protect))
        with progress_display(quiet=quiet) as progress:
            yield progress
    except EmobSimError as exc:
        fail(exc)
