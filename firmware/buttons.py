"""Three push buttons: IRQs only timestamp, the main loop debounces and tells short from long."""

from micropython import const

NONE = const(0)
A_SHORT = const(1)
A_LONG = const(2)
B_SHORT = const(3)
B_LONG = const(4)
C_SHORT = const(5)
C_LONG = const(6)
NAMES = ("none", "A", "A long", "B", "B long", "C", "C long")


class Button:
    """One active-low button on a pull-up pin; poll() returns its short/long event or NONE."""

    debounce_ms = 20  # contacts settle within a few ms; 20 ms of a steady level is a change
    long_ms = 700  # held this long = long press (sent while still held, release is silent)

    def __init__(self, pin, clock, short_ev, long_ev, active=0):
        self._pin = pin
        self._clock = clock
        self._short = short_ev
        self._long = long_ev
        self._active = active
        # Written by the IRQ: preallocated so the handler stores two ints and allocates nothing.
        self._irq_t = [0]
        self._irq_n = [0]
        self._seen = False  # raw level last seen by the loop (True = pressed)
        self._t_edge = clock.ticks_ms()  # last raw change (IRQ time or loop time)
        self._settling = False
        self.down = False  # debounced level
        self._t_down = 0
        self._long_sent = False
        # Only where a long action exists (the app sets this per screen). Without one the
        # event comes at the debounced press, so a hold of any length is a short press.
        self.long_armed = True
        self._isr_ref = self._isr  # bound once: making a bound method allocates
        trig = pin.IRQ_FALLING | pin.IRQ_RISING
        try:
            pin.irq(self._isr_ref, trig, hard=True)
        except TypeError:  # a port (or fake) whose Pin.irq has no `hard`
            pin.irq(self._isr_ref, trig)

    def _isr(self, pin):
        # Hard IRQ: no allocation, no floats; ticks_ms() is a small int.
        self._irq_t[0] = self._clock.ticks_ms()
        self._irq_n[0] += 1

    def poll(self, now):
        """Advance the debouncer to `now` (ticks_ms); return an event or NONE."""
        clock = self._clock
        irq = self._irq_n[0]
        if irq:
            # An edge since the last poll, maybe a bounce that ended at the old level.
            self._irq_n[0] = 0
            self._t_edge = self._irq_t[0]
            self._settling = True
        level = self._pin.value() == self._active
        if level != self._seen:
            self._seen = level
            if not irq:  # the IRQ's timestamp is the real edge; the loop may see it late
                self._t_edge = now
            self._settling = True
        if self._settling and clock.ticks_diff(now, self._t_edge) >= self.debounce_ms:
            self._settling = False
            if self._seen != self.down:
                self.down = self._seen
                if self.down:
                    self._t_down = self._t_edge
                    self._long_sent = not self.long_armed  # True: the release stays silent
                    if not self.long_armed:
                        return self._short
                elif not self._long_sent:
                    return self._short
        if (self.down and self.long_armed and not self._long_sent
                and clock.ticks_diff(now, self._t_down) >= self.long_ms):
            self._long_sent = True
            return self._long
        return NONE


class Buttons:
    """Buttons A, B, C; poll() returns one event per call (others wait for the next call)."""

    def __init__(self, pin_a, pin_b, pin_c, clock):
        self._clock = clock
        self.a = Button(pin_a, clock, A_SHORT, A_LONG)
        self.b = Button(pin_b, clock, B_SHORT, B_LONG)
        self.c = Button(pin_c, clock, C_SHORT, C_LONG)
        self._btns = (self.a, self.b, self.c)  # built once: poll() runs every loop pass
        self._next = 0  # round robin, so one busy button cannot starve the others
        self.t_press = 0  # ticks_ms of the press edge of the last event's button

    def poll(self):
        """Debounce all three; the first pending event or NONE."""
        now = self._clock.ticks_ms()
        btns = self._btns
        for i in range(3):
            b = btns[(self._next + i) % 3]
            ev = b.poll(now)
            if ev:
                self._next = (self._next + i + 1) % 3
                self.t_press = b._t_down  # the press edge (IRQ timestamp when one saw it)
                return ev
        return NONE

    def arm_long(self, a, b, c):
        """Which buttons have a long action now (a long press of the others is a short one)."""
        self.a.long_armed = a
        self.b.long_armed = b
        self.c.long_armed = c

    def any_down(self):
        """True while any button is held (debounced)."""
        return self.a.down or self.b.down or self.c.down
