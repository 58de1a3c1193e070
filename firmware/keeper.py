"""Watchdog keeper: feeds the WDT from a soft Timer while the REPL, not the app, runs."""
# The RP2040 watchdog cannot be stopped. The app feeds it from its main loop only (a hung app
# is reset); when the app ends (Ctrl-C, an error) main.py hands it here, and after a soft reset
# boot.py re-arms it here. The Timer and WDT live in module globals: reachable from
# sys.modules, so gc.collect() never finalises the Timer (its finaliser cancels the alarm).

PERIOD_MS = 1000  # well inside the 5 s timeout, even behind a long REPL command
_wdt = None
_timer = None


def _feed(_t):
    w = _wdt
    if w is not None:
        w.feed()


def keep(wdt, timer):
    """Feed `wdt` every PERIOD_MS from `timer` (a soft callback) until release().

    No watchdog (wdt None: the simulator's board): nothing to do.
    """
    global _wdt, _timer
    release()
    if wdt is None:
        return
    _wdt = wdt
    _timer = timer
    wdt.feed()
    timer.init(mode=timer.PERIODIC, period=PERIOD_MS, callback=_feed)


def release():
    """Stop feeding: from now on the app's main loop must feed, or the chip resets."""
    global _wdt, _timer
    t = _timer
    _timer = None
    _wdt = None
    if t is not None:
        t.deinit()


def active():
    """True while the keeper feeds the watchdog."""
    return _timer is not None
