"""Test rig for the app: fake hardware on a virtual clock, a screen, a timed store, a loop."""

import gc
import sys

import app
import interp
import logbook
import machine
import pico
import plan
import store
import vclock

MP = sys.implementation.name == "micropython"
FULL_FRAME = 1025  # bytes of one full show(): control byte + 128 x 64 / 8


class RecI2C(machine.I2C):
    """Fake I2C that also records when each full-frame write started and ended."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.frames = []  # (start_us, end_us)

    def writeto(self, addr, buf, stop=True):
        t0 = machine.get_clock().now_us
        n = super().writeto(addr, buf, stop)
        if len(buf) >= FULL_FRAME:
            self.frames.append((t0, machine.get_clock().now_us))
        return n


class HW:
    """What a board's build() returns (docs/CONTRACT.md "hw"), made of fakes."""

    name = "test"
    flash_root = None
    oled_addr = 0x3C
    cue_lead_us = pico.CUE_LEAD_US
    service = None


def make_hw(start_us=0):
    gc.collect()
    clock = vclock.VirtualClock(start_us)
    clock.set_epoch(1767225600)  # 2026-01-01
    machine.set_clock(clock)
    hw = HW()
    hw.clock = clock
    # a smaller event ring than the fake's default (the rig drains it): source .py test heap
    machine.PWM.EVENTS = 384
    hw.buzzer_pwm = machine.PWM(machine.Pin(15), freq=2000, duty_u16=0)
    hw.buzzer_pwm.clear_events()
    hw.timer = machine.Timer(-1)
    hw.i2c = RecI2C(0, freq=400000)
    hw.btn_a = machine.Pin(10, machine.Pin.IN, machine.Pin.PULL_UP)
    hw.btn_b = machine.Pin(11, machine.Pin.IN, machine.Pin.PULL_UP)
    hw.btn_c = machine.Pin(12, machine.Pin.IN, machine.Pin.PULL_UP)
    hw.wdt = machine.WDT(timeout=5000)
    hw.services = 0

    def service(app):
        hw.services += 1

    hw.service = service
    return hw


def make_screen(hw):
    """(frame buffer the app draws on, what the image is read back from)."""
    if not MP:
        import canvas

        # as long as a real frame on the 400 kHz bus (see test_ui.test_show_costs_bus_time)
        c = canvas.Canvas(clock=hw.clock, show_us=23600)
        return c, c
    import display

    try:
        import ssd1306_panel

        panel = ssd1306_panel.Panel()
    except ImportError:  # the Panel decoder has not landed: read the driver's frame buffer
        panel = None
    hw.i2c.attach(0x3C, panel if panel is not None else _Sink())
    fb = display.make_oled(hw.i2c, 0x3C)
    return fb, (panel if panel is not None else fb)


class _Sink:
    """An I2C device that acknowledges and ignores everything."""


# ----- flash with timing -----

class TimedLogbook(logbook.Logbook):
    """Logbook that records the virtual time of every append (CPython: no block device)."""

    def __init__(self, st):
        self.appends = []
        super().__init__(st)

    def append(self, session, plan_hash, start_s, rpe):
        self.appends.append(machine.get_clock().now_us)
        return super().append(session, plan_hash, start_s, rpe)


class FullStore(store.Store):
    """A store on a filesystem with no free space left."""

    def free_bytes(self):
        return 0


_n = [0]
_mounted = []


def release():
    """Unmount the previous test's filesystem and free its RAM (a Pico-sized heap)."""
    if MP:
        import vfs

        while _mounted:
            vfs.umount(_mounted.pop())
    gc.collect()


def make_store(full=False):
    """(store, logbook, flash_ops) on real LittleFS (MicroPython) or a temp dir (CPython).

    flash_ops is a list the block device appends (t_us, 'w'|'e') to for every program/erase.
    """
    ops = []
    _n[0] += 1
    if MP:
        import vfs
        from flashdev import FlashDevice

        class TimedDev(FlashDevice):
            def writeblocks(self, block, buf, offset=None):
                ops.append((machine.get_clock().now_us, "w"))
                return super().writeblocks(block, buf, offset)

            def ioctl(self, op, arg):
                if op == 6:
                    ops.append((machine.get_clock().now_us, "e"))
                return super().ioctl(op, arg)

        release()
        dev = TimedDev(40, 512)
        vfs.VfsLfs2.mkfs(dev)
        root = "/app%d" % _n[0]
        vfs.mount(vfs.VfsLfs2(dev), root)
        _mounted.append(root)
    else:
        root = interp.tmpdir("app")
    st = (FullStore if full else store.Store)(root)
    lb = TimedLogbook(st)
    del ops[:]
    return st, lb, ops


def table(steps, title="Test"):
    return plan.Table(plan.encode({"title": title, "flags": 0, "steps": steps}))


class Rig:
    """An App on fake hardware, stepped like run() does, collecting cue onsets."""

    def __init__(self, tables=None, full=False, with_store=True):
        release()  # before the new hardware and screen: one big free region, less fragmentation
        self.hw = make_hw()
        self.clock = self.hw.clock
        self.fb, self.screen = make_screen(self.hw)
        if with_store:
            self.store, self.logbook, self.flash_ops = make_store(full)
        else:
            self.store = self.logbook = None
            self.flash_ops = []
        self.app = app.App(self.hw, store=self.store, logbook=self.logbook, fb=self.fb,
                           tables=tables)
        self.onsets = []  # (planned_us, actual_us) of every cue onset, from the edge's ring
        self.pwm_events = []  # every buzzer PWM change (t_us, freq, duty), drained
        self._seen = 0
        self.passes = 0

    def collect(self):
        e = self.app.edge
        while self._seen < e.n_onsets:
            assert e.n_onsets - self._seen <= e.log_n, "onset ring overran"
            j = self._seen % e.log_n
            self.onsets.append((e.planned[j], e.actual[j]))
            self._seen += 1
        pwm = self.hw.buzzer_pwm
        if pwm.changes > 256:
            self.pwm_events.extend(pwm.events())
            pwm.clear_events()

    def run(self, ms):
        """The main loop for ms of virtual time."""
        end = self.clock.now_us + ms * 1000
        while self.clock.now_us < end:
            self.app.step()
            self.passes += 1
            self.collect()
            self.clock.sleep_ms(self.app.IDLE_MS)
        self.collect()

    def until(self, cond, max_ms=60000):
        """Run until cond() is true; fails after max_ms."""
        end = self.clock.now_us + max_ms * 1000
        while not cond():
            assert self.clock.now_us < end, "condition not reached"
            self.run(10)

    def tap(self, pin, hold_ms=80):
        """A short press, then long enough for the event and a redraw."""
        pin.press()
        self.run(hold_ms)
        pin.release()
        self.run(60)

    def hold(self, pin, hold_ms=1000):
        pin.press()
        self.run(hold_ms)
        pin.release()
        self.run(60)

    def settle(self):
        """Long enough for a pending redraw (throttle + guard)."""
        self.run(app.App.REDRAW_MS + 100)

    def frames(self):
        """(start_us, end_us) of every full-frame show()."""
        return self.hw.i2c.frames if MP else self.fb.frames

    def tones(self):
        """[(start_us, end_us or -1, freq)] of every tone the buzzer played."""
        pwm = self.hw.buzzer_pwm
        self.pwm_events.extend(pwm.events())
        pwm.clear_events()
        return machine.tone_spans(self.pwm_events)
