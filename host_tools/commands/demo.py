"""`beeper demo`: the Beginner session in the simulator, driven by a button script."""


from host_tools.commands.sim import speed


def register(sub):
    """Add the demo subcommand."""
    p = sub.add_parser("demo", help="run the Beginner session in the simulator (no hardware)",
                       description="Start the simulator, deploy the firmware, push the "
                       "Beginner plan, press buttons along a script (start, laps, pause and "
                       "resume, skip a rest, RPE 7) and print cues, screens and the session log.")
    p.add_argument("--speed", type=speed, default=60, help="time speed-up (default 60)")
    p.add_argument("--plan", help="plan file (default: examples/beginner.plan)")
    p.add_argument("--plain", action="store_true", help="plain lines even on a terminal")
    p.set_defaults(func=run)


def run(args):
    """Run the demo; returns its exit code."""
    from host_tools import demo

    kw = {"speed": args.speed, "live": False if args.plain else None}
    if args.plan:
        kw["plan_path"] = args.plan
    return demo.run(**kw)
