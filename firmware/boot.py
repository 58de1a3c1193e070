"""Runs on every reset, soft ones too (also before mpremote's raw REPL): if the watchdog is
still running from the app, the keeper feeds it so the REPL is not reset under the user."""
try:
    import board
    import keeper

    _parts = board.running_watchdog()  # (WDT, Timer) when the hardware watchdog is on
    if _parts is not None:
        keeper.keep(_parts[0], _parts[1])
    del _parts
except Exception as e:  # noqa: BLE001 - boot.py must never keep the REPL or main.py from starting
    print("boot:", e)
