"""`beeper deploy`: compile the firmware with mpy-cross and copy it to a Pico."""

from host_tools.device import deploy


def register(sub):
    """Add the deploy subcommand."""
    p = sub.add_parser("deploy", help="compile the firmware and copy it to the device",
                       description="Check the device runs MicroPython 1.26 or later, compile "
                       "firmware/*.py with mpy-cross (boot.py and main.py stay source) and "
                       "copy it, with the board file and OLED driver, to the device. "
                       "Files whose hash already matches are skipped.")
    p.add_argument("--port", help="serial port (default: $BEEPER_PORT or USB auto-detect)")
    p.add_argument("--board", default=None, choices=sorted(deploy.ARCH),
                   help="board file to install as board.mpy (default: the device's own: pico "
                   "for an RP2040, pico2 for an RP2350, sim for the simulator)")
    p.add_argument("--force", action="store_true", help="copy every file even if unchanged")
    p.add_argument("--no-reset", action="store_true",
                   help="do not soft-reset afterwards (the new firmware starts on next boot)")
    p.set_defaults(func=run)


def run(args):
    """Deploy; returns an exit code."""
    from host_tools.cli import CliError

    try:
        port = deploy.find_port(args.port)
        cb, prog = deploy.rich_progress()
        with prog:
            info = deploy.deploy(port, args.board, progress=cb, reset=not args.no_reset,
                                 force=args.force)
    except deploy.DeployError as e:
        raise CliError(str(e))
    print("deployed %d of %d files (%d bytes, board %s, MicroPython %s) to %s in %.1f s%s"
          % (len(info["written"]), len(info["files"]), info["bytes"], info["board"],
             info["micropython"], port, info["total_s"], "" if args.no_reset else "; soft reset"))
    return 0
