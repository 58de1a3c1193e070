"""`beeper sim`: run the Pico twin (MicroPython on a pty, LittleFS flash image)."""

import signal
import sys
import time


def register(sub):
    """Add the sim subcommand."""
    p = sub.add_parser("sim", help="run the simulator (a software Pico on a pty)",
                       description="Start MicroPython on a pseudo-terminal with a LittleFS "
                       "flash image, deploy the firmware into it like `beeper deploy`, boot "
                       "main.py and print the port. Use the port with any beeper command or "
                       "mpremote. Ctrl-C stops the simulator.")
    p.add_argument("--speed", type=float, default=1.0,
                   help="virtual time runs N times faster than real time (default 1)")
    p.add_argument("--flash", help="flash image file to keep between runs (default: temporary)")
    p.add_argument("--board", default="sim", choices=["sim"], help="board file (default: sim)")
    p.add_argument("--heap", default="192K", help="MicroPython heap size (default 192K)")
    p.add_argument("--no-deploy", action="store_true",
                   help="boot what the flash image already holds")
    p.add_argument("--watch", action="store_true", help="draw the OLED and print cues here")
    p.set_defaults(func=run)


def _interrupt(*_):
    raise KeyboardInterrupt


def run(args):
    """Run until interrupted; returns an exit code."""
    from host_tools.cli import CliError
    from host_tools.deploy import DeployError
    from host_tools.sim import SimError, Simulator

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
