"""`beeper`: the host CLI. A command table; one place turns errors into exit codes."""

import argparse
import importlib
import sys

# Each module exposes register(subparsers); its subparsers set func(args) -> exit code.
COMMAND_MODULES = [
    "host_tools.commands.plan",
    "host_tools.commands.deploy",
    "host_tools.commands.sim",
    "host_tools.commands.demo",
    "host_tools.commands.export",
    "host_tools.commands.report",
]


class CliError(Exception):
    """A failure to report to the user as one line, with an exit code."""

    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code


def build_parser():
    """The argument parser with every command module's subcommands."""
    parser = argparse.ArgumentParser(prog="beeper", description="Interval beeper host tools.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv=None):
    """Entry point: run a command and exit with its code (never a traceback for user errors)."""
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
    except CliError as e:
        print("beeper: error: %s" % e, file=sys.stderr)
        code = e.code
    except KeyboardInterrupt:
        print("beeper: interrupted", file=sys.stderr)
        code = 130
    except BrokenPipeError:
        code = 1
    except OSError as e:
        print("beeper: error: %s" % e, file=sys.stderr)
        code = 1
    sys.exit(code or 0)


if __name__ == "__main__":
    main()
