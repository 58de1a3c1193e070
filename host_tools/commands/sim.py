"""`beeper sim`: run the Pico twin (MicroPython on a pty, LittleFS flash image)."""

import signal
import sys
import time

from host_tools import fw

MAX_SPEED = 1000  # beyond this the host cannot keep the twin's loop anywhere near its clock


def speed(text):
    """argparse type for --speed: a number > 0 (and at most MAX_SPEED)."""
    import argparse
    import math

    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a number" % text) from None
    if not math.isfinite(v) or v <= 0:
        raise argparse.ArgumentTypeError("must be more than 0, not %s" % text)
    if v > MAX_SPEED:
        raise argparse.ArgumentTypeError("at most %d, not %s" % (MAX_SPEED, text))
    return v


def register(sub):
    """Add the sim subcommand."""
    p = sub.add_parser("sim", help="run the simulator (a software Pico on a pty)",
                       description="Start MicroPython on a pseudo-terminal with a LittleFS "
                       "flash image, deploy the firmware into it like `beeper deploy`, boot "
                       "main.py and print the port. Use the port with any beeper command or "
                       "mpremote. Ctrl-C stops the simulator.")
    p.add_argument("--speed", type=speed, default=1.0,
                   help="virtual time runs N times faster than real time (default 1)")
    p.add_argument("--flash", help="flash image file to keep between runs (default: temporary)")
    p.add_argument("--board", default="sim", choices=["sim"], help="board file (default: sim)")
    p.add_argument("--heap", default=fw.PICO_HEAP,
                   help="MicroPython heap size (default %s: a Pico's, 64-bit)" % fw.PICO_HEAP)
    p.add_argument("--no-deploy", action="store_true",
                   help="boot what the flash image already holds")
    p.add_argument("--watch", action="store_true", help="draw the OLED and print cues here")
    p.add_argument("--keys", action="store_true",
                   help="drive it from this terminal: a/b/c press a button, A/B/C hold it, "
                   "q quits; the OLED is redrawn in place (needs a terminal)")
    p.set_defaults(func=run)


KEYS = {"a": ("A", False), "b": ("B", False), "c": ("C", False),
        "A": ("A", True), "B": ("B", True), "C": ("C", True)}


class RawKeys:
    """The terminal in cbreak mode (single keys, no echo) while the simulator runs."""

    def __init__(self, stream):
        import termios
        import tty

        self.fd = stream.fileno()
        self.saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)

    def read(self):
        """Keys typed since the last call ('' if none)."""
        import os
        import select

        out = ""
        while select.select([self.fd], [], [], 0)[0]:
            data = os.read(self.fd, 64)
            if not data:
                break
            out += data.decode(errors="ignore")
        return out

    def close(self):
        import termios

        termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)


def _interrupt(*_):
    raise KeyboardInterrupt


def run(args):
    """Run until interrupted; returns an exit code."""
    from host_tools.cli import CliError
    from host_tools.device.deploy import DeployError
    from host_tools.sim.simulator import SimError, Simulator

    if args.keys and not sys.stdin.isatty():
        raise CliError("--keys needs a terminal on standard input")
    sim = Simulator(speed=args.speed, flash=args.flash, board=args.board, heap=args.heap,
                    deploy_fw=not args.no_deploy,
                    log=lambda m: print(m, file=sys.stderr))
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with sim:
            print("simulator port: %s" % sim.port, flush=True)
            print("side channels: %s (buttons, events, screen); flash image: %s"
                  % (sim.dir, sim.flash), flush=True)
            print("press a button: echo 'A 120' >> %s/buttons   (B, C; hold ms)" % sim.dir,
                  flush=True)
            if args.keys:
                return _keys_loop(sim)
            seq = 0
            while sim.relay.thread.is_alive():
                if args.watch:
                    for c in sim.cues():
                        print("cue %-5s planned %9.3f s  actual %9.3f s  (%+d us)"
                              % (c["name"], c["planned_us"] / 1e6, c["actual_us"] / 1e6,
                                 c["late_us"]), flush=True)
                    s, _ = sim.frame()
                    if s != seq:
                        seq = s
                        print(sim.screen(compact=True) + "\n" + "-" * 64, flush=True)
                time.sleep(0.1)
    except (SimError, DeployError) as e:
        raise CliError(str(e))
    except KeyboardInterrupt:
        print("simulator stopped", file=sys.stderr)
    return 0


def _keys_loop(sim):
    """Redraw the OLED in place, show the last cues, press buttons from keys; q quits."""
    keys = RawKeys(sys.stdin)
    cues = []
    seq = -1
    try:
        while sim.relay.thread.is_alive():
            typed = keys.read()
            if "q" in typed:
                break
            for ch in typed:
                if ch in KEYS:
                    sim.press(KEYS[ch][0], long=KEYS[ch][1])
            new = sim.cues()
            cues = (cues + ["%-5s planned %9.3f s  actual %9.3f s  (%+d us)" % (
                c["name"], c["planned_us"] / 1e6, c["actual_us"] / 1e6, c["late_us"])
                for c in new])[-5:]
            s, _ = sim.frame()
            if s != seq or new:
                seq = s
                sys.stdout.write("\x1b[H\x1b[2J" + sim.screen(compact=True) + "\n\n"
                                 + "\n".join(cues) + "\n\na/b/c press  A/B/C hold  q quit"
                                 "   port %s\n" % sim.port)
                sys.stdout.flush()
            time.sleep(0.03)
    finally:
        keys.close()
    return 0
