"""Boot: the board file (installed as /board.mpy) builds the hardware, the app runs on it.

The app feeds the watchdog from its main loop only; when it ends (Ctrl-C or an error: the REPL
follows), the keeper feeds it so the REPL is never reset under the user.
"""
import app
import board
import keeper

hw = board.build()
keeper.release()  # boot.py may have armed it: from here a hung app must get reset
try:
    app.run(hw)
finally:
    if hw.wdt is not None:
        keeper.keep(hw.wdt, hw.timer)
    del hw
