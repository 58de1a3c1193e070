"""Boot: the board file (installed as /board.mpy) builds the hardware, the app runs on it."""
import app
import board

app.run(board.build())
