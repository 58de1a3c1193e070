# MicroPython: heap the link takes while serving a pull (GET_LOGS batches).
# argv: ROOT N_SESSIONS. Prints: resident_bytes peak_transient_bytes frames wire_bytes
# Records come from RAM here: reading them from flash is the logbook's cost (in C on a Pico;
# the Python fake flash would add its own garbage), the link's own cost is what is measured.
import gc
import struct
import sys

root = sys.argv[1]
sys.path[:0] = [root + "/host_tools/sim/fakes", root + "/firmware", root + "/tests/mp"]
import link  # noqa: E402
import logbook  # noqa: E402
from test_link import Wire  # noqa: E402
from vclock import VirtualClock  # noqa: E402


class RamLog:
    """raw_records/last_seq of a logbook holding n 14-interval sessions."""

    def __init__(self, n):
        ivs = [(20000, 19950, 0, 0, 1, 1)] * 14
        self.recs = [bytes(logbook.encode(i + 1, 7, 0, 0, 5, 0, ivs, boot_count=1,
                                          start_ticks_ms=i, strings=["Bench", "Go"]))
                     for i in range(n)]
        self.last_seq = n

    def raw_records(self, start):
        for i in range(start - 1, len(self.recs)):
            yield i + 1, self.recs[i]


class App:
    def __init__(self, lb):
        self.store, self.logbook, self.clock = None, lb, VirtualClock()

    def running(self):
        return False

    def collect(self):
        gc.collect()


class Sink(Wire):
    """Keeps the last reply line only."""

    def __init__(self):
        super().__init__()
        self.sent = 0
        self.last = b""

    def write(self, data):
        self.sent += len(data)
        self.last = data  # a view of the link's tx buffer: copied after the measurement
        return len(data)


lb = RamLog(int(sys.argv[2]))
app = App(lb)
w = Sink()
gc.collect()
base = gc.mem_alloc()
ln = link.Link(app, w, w, ready=w.ready)
gc.collect()
resident = gc.mem_alloc() - base
peak = 0
start = 1
frames = 0
while True:
    w.inq.extend(link.frame(link.T_LOGS, frames & 0xFF, struct.pack(link.LOGS_REQ, start, 2048)))
    gc.collect()
    before = gc.mem_alloc()
    ln.service()
    used = gc.mem_alloc() - before  # everything the request allocated (garbage included)
    if used > peak:
        peak = used
    frames += 1
    nxt, last, count = struct.unpack_from(link.LOGS_HEAD, link.parse(bytes(w.last))[3], 0)
    if not count:
        break
    start = nxt
print(resident, peak, frames, w.sent)
