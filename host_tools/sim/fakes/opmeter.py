"""CPython only: bill the virtual clock for the firmware's own bytecode, opcode by opcode."""
# A fake that charges only for machine calls says the ISR's Python costs nothing; on rp2 they
# are most of the cue path (rp2-timing.md: ~60 us between the ISR's first ticks_us() and the
# PWM write). sys.settrace's per-opcode events count what firmware frames execute, and the
# clock is billed Board.ns_per_op() for each (paid at the next clock read or machine call, so a
# PWM write lands after the code before it). MicroPython's unix port has no sys.settrace:
# tests that need the meter skip themselves there.
import os
import sys


class OpMeter:
    """Context manager: while active, firmware bytecode advances `clock` (debt_ns)."""

    def __init__(self, clock, roots):
        self.clock = clock
        # Directories or single files whose code runs as firmware.
        self.roots = tuple(os.path.abspath(r) + ("" if r.endswith(".py") else os.sep)
                           for r in roots)
        self.ns = clock.board.ns_per_op()
        self.ops = 0
        self._prev = None

    def _global(self, frame, event, arg):
        if frame.f_code.co_filename.startswith(self.roots):
            frame.f_trace_opcodes = True
            frame.f_trace_lines = False
            return self._local
        return None

    def _local(self, frame, event, arg):
        if event == "opcode":
            self.ops += 1
            self.clock.debt_ns += self.ns
        return self._local

    def __enter__(self):
        self._prev = sys.gettrace()
        sys.settrace(self._global)
        return self

    def __exit__(self, *exc):
        sys.settrace(self._prev)
        self.clock.pay()
        return False
