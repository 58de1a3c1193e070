"""Boot: board.build() -> app.run(); on any exit the keeper feeds the watchdog (REPL safe)."""
import app
import board
import keeper

hw = board.build()
keeper.release()  # boot.py may have armed it: from here on a hung app must be reset
try:
    app.run(hw)
finally:
    keeper.keep(hw.wdt, hw.timer)  # Ctrl-C or an error: the REPL must not be reset under us
    del hw
