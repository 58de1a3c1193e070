"""The beeper app: menu -> countdown -> running <-> paused -> RPE -> saved; one step() a pass."""

import gc

import buttons as btn
import buzzer
import cuetimer
import plan
import session as ses
import ui
from micropython import const

M_MENU = const(0)
M_RUN = const(1)  # countdown, running, paused, waiting for a lap: see session.state
M_RPE = const(2)
M_SAVE = const(3)  # RPE chosen: the log is written at the next quiet moment
M_FULL = const(4)  # flash-full warning
M_SUMMARY = const(5)


class App:
    """State machine over buttons and a Session; tests call step() and move the clock."""

    IDLE_MS = 10  # loop period: buttons need polls well inside their 20 ms debounce
    REDRAW_MS = 200  # at most 5 full redraws a second (each show() is ~25 ms of I2C)
    SHOW_RETRY_MS = 1000  # after a failed show() (loose OLED cable): try again this much later
    SHOW_GUARD_MS = 60  # no show() when a cue is due sooner: it would block the loop ~25 ms
    WRITE_GUARD_MS = 1000  # flash writes stop IRQs for ms: only with no cue for this long
    # A checkpoint rewrites one small file on LittleFS: 1 erase + up to 31 page programs
    # (493 ms at the W25Q16JV's datasheet maximums, rp2-timing.md), and when LittleFS compacts
    # its metadata pair one more erase: 2 x 400 + 31 x 3 = 893 ms. Only with no cue for longer.
    CHECKPOINT_GUARD_MS = 1000
    RPE_START = 5
    EXTEND_MS = 10000  # A held while running: the interval gets this much longer
    NOTE_MS = 1500  # how long "+10 s" replaces the next-step line

    def __init__(self, hw, store=None, logbook=None, fb=None, tables=None):
        self.hw = hw
        clock = hw.clock
        self.clock = clock
        self.buttons = btn.Buttons(hw.btn_a, hw.btn_b, hw.btn_c, clock)
        self.edge = cuetimer.CueTimer(hw.timer, buzzer.Buzzer(hw.buzzer_pwm), clock,
                                      hw.cue_lead_us)
        if fb is None:
            import display

            fb = display.open_display(hw.i2c, hw.oled_addr)
        self.ui = ui.UI(fb)
        self.store = store
        self.logbook = logbook
        if store is None and hw.flash_root:
            self._open_store(hw.flash_root)
        self.damaged = False  # plans.bin failed its checks: the built-ins are in use
        self.tables = tables if tables is not None else self._load_tables()
        self._warn = "PLANS DAMAGED" if self.damaged else ""  # until a button is pressed
        self.idx = 0
        self._menu_info = -1  # index whose interval count is cached
        self._intervals = 0
        self.mode = M_MENU
        self.sess = None
        self._books = ses.books(plan.MAX_STEPS)  # lent to every session: no big block later
        self.start_s = 0
        self.rpe = self.RPE_START
        self.seq = -1  # log record written for the last session, -1 = none
        self.rtc_set = False  # the host set the RTC this boot (the link sets it)
        self.start_ticks_ms = 0
        self._rtc_at_start = False
        self._onsets = 0  # CueTimer onsets before this session (none since: worst unknown)
        self.ckpt = None  # checkpoint.Checkpoints beside the logbook
        self.recovered = self._recover()  # seq of a session the last boot left open, or 0
        # Flash full is known at boot: no room for the log of the longest stored plan.
        self.full = self.logbook is not None and (self.logbook.full or not self._log_room())
        self.saves = 0  # log writes attempted (tests)
        self.checkpoints = 0  # checkpoints written (tests)
        self._ckpt_done = 0  # intervals the last checkpoint held
        self.last_event = 0
        self._dirty = True
        self._shown_secs = -1
        self._last_show = clock.ticks_ms()
        self._show_wait = self.REDRAW_MS  # REDRAW_MS, or SHOW_RETRY_MS after a failure
        self.show_errors = 0  # failed show()s so far (I2C errors: the OLED is unplugged)
        self._show_failed = False
        self._step = -2  # session step the cached strings belong to
        self._label = ""
        self._nkind = -1
        self._nlabel = ""
        self._step_base_ms = 0  # active ms before the current step (lap step stopwatch)
        self._ext_note = "+%d s" % (self.EXTEND_MS // 1000)  # made once, not per press
        self._note = ""  # a brief acknowledgement on the running screen
        self._note_t = 0
        self.link = None  # USB link to the host when the board wires a stream (hw.link_io)
        io = getattr(hw, "link_io", None)
        if io is not None:
            import link

            self.link = link.Link(self, io[0], io[1])

    # ----- setup -----

    def _open_store(self, root):
        """Store and logbook on the flash filesystem; the beeper still runs without them."""
        try:
            import logbook
            import store

            self.store = store.Store(root)
            self.store.count_boot()
            self.logbook = logbook.Logbook(self.store)
        except (OSError, ValueError, ImportError) as e:
            print("store:", e)

    def _load_tables(self):
        """Stored plans, or the built-in examples when none are stored (or the set is bad)."""
        if self.store is not None:
            try:
                ts = self.store.load_plans()
                if ts:
                    return ts
            except Exception as e:  # noqa: BLE001 - a damaged set must not stop the beeper
                print("plans:", e)
                self.damaged = True
        import defaults

        return [plan.Table(b) for b in defaults.PLANS]

    def boot_count(self):
        """This boot's number (0 without a store)."""
        return getattr(self.store, "boot_count", 0)

    def _log_room(self):
        """Would the logbook take the record of the longest session the plans can make?"""
        n = 0
        sb = 0
        for t in self.tables:
            k = t.step_count()
            if k > n:
                n = k
            b = 0
            for i in range(t.nstr):
                b += 1 + len(t.label(i).encode())
            if b > sb:
                sb = b
        try:
            return self.logbook.room_for(n, sb)
        except OSError as e:  # statvfs or compaction failed: the append will tell
            print("log:", e)
            return True

    # ----- the loop -----

    def step(self):
        """One main-loop pass: watchdog, service hook, buttons, session, maybe a redraw."""
        hw = self.hw
        if hw.wdt is not None:
            hw.wdt.feed()
        if hw.service is not None:
            hw.service(self)
        if self.link is not None:
            self.link.service()  # a running session only gets INFO answered
        self._arm_long()
        ev = self.buttons.poll()
        if ev:
            self.last_event = ev
            self._on_button(ev)
        s = self.sess
        if s is not None and self.mode == M_RUN:
            bits = s.poll()
            if bits:
                self._dirty = True
                if bits & ses.EV_STEP:
                    self._cache_step()
                if bits & ses.EV_DONE:
                    self.mode = M_RPE
                    self.rpe = self.RPE_START
        if self.mode == M_RUN or self.mode == M_RPE:
            self._checkpoint()
        if self.mode == M_SAVE:
            self._save()
        if self._note and self.clock.ticks_diff(self.clock.ticks_ms(), self._note_t) >= 0:
            self._note = ""
            self._dirty = True
        self._redraw()

    def run(self):
        """Loop forever; on any exit (Ctrl-C, an error) the buzzer is silenced first."""
        try:
            while True:
                self.step()
                lk = self.link
                # a sync transfer gets 1 ms turnarounds; a session never does
                self.clock.sleep_ms(1 if lk is not None and lk.hot() else self.IDLE_MS)
        finally:
            self.shutdown()

    def shutdown(self):
        """Silence the buzzer and free the timer (main.py then hands the watchdog to keeper)."""
        self.edge.stop()

    # ----- for the link -----

    def running(self):
        """True from the 3-2-1 until the log is saved (the link answers only INFO then)."""
        return self.mode == M_RUN or self.mode == M_RPE or self.mode == M_SAVE

    def rpe_pending(self):
        """True while the RPE screen waits for the user."""
        return self.mode == M_RPE

    def in_menu(self):
        """True on the plan menu."""
        return self.mode == M_MENU

    def collect(self):
        """Free memory before a transfer."""
        gc.collect()

    def plans_changed(self):
        """The store holds a new plan set: load it and go back to the menu's first plan."""
        self.damaged = False
        self.tables = []
        gc.collect()
        self.tables = self._load_tables()
        self.idx = 0
        self._menu_info = -1
        self._warn = ""
        if self.logbook is not None:
            self.full = self.logbook.full or not self._log_room()
        self._dirty = True

    def screen_bytes(self):
        """The frame buffer: 1024 bytes, SSD1306 page layout (what the panel shows)."""
        b = getattr(self.ui.fb, "buffer", None)
        if b is None:
            return b""
        return memoryview(b)[1:] if len(b) == 1025 else b

    # ----- buttons -----

    def _on_button(self, ev):
        self._dirty = True
        m = self.mode
        if m == M_MENU:
            self._warn = ""
            n = len(self.tables)
            if ev == btn.A_SHORT:
                self._start()
            elif ev == btn.B_SHORT:
                self.idx = (self.idx + 1) % n
            elif ev == btn.C_SHORT:
                self.idx = (self.idx - 1) % n
        elif m == M_RUN:
            self._run_button(ev)
        elif m == M_RPE:
            if ev == btn.B_SHORT and self.rpe < 10:
                self.rpe += 1
            elif ev == btn.C_SHORT and self.rpe > 1:
                self.rpe -= 1
            elif ev == btn.A_SHORT:
                self.mode = M_SAVE
        elif m == M_FULL:
            if ev == btn.A_SHORT:
                self.mode = M_SUMMARY
        elif m == M_SUMMARY:
            if ev == btn.A_SHORT:
                self.sess = None
                self.mode = M_MENU
                gc.collect()

    def _arm_long(self):
        """Long presses only where one has an action: A +10 s on a running timed interval,
        C abandon/finish during a session; B (next, lap) never has one."""
        s = self.sess
        st = s.state if s is not None and self.mode == M_RUN else ses.S_DONE
        self.buttons.arm_long(st == ses.S_RUNNING, False, st < ses.S_DONE)

    def _run_button(self, ev):
        s = self.sess
        st = s.state
        if st == ses.S_COUNTDOWN and ev == btn.C_LONG:
            s.edge.stop()  # abandon before step 1: nothing to log
            self.sess = None
            self.mode = M_MENU
        elif ev == btn.A_SHORT:
            if st == ses.S_PAUSED:
                s.resume()
            else:
                s.pause()
        elif ev == btn.A_LONG:
            # sent while A is still held; its release is silent, so no pause follows
            if s.extend(self.EXTEND_MS):
                self._note = self._ext_note
                self._note_t = self.clock.ticks_add(self.clock.ticks_ms(), self.NOTE_MS)
        elif ev == btn.B_SHORT:
            # timed at the press edge (IRQ timestamp), not at the loop's debounced event
            ck = self.clock
            s.lap(ck.ticks_diff(ck.ticks_ms(), self.buttons.t_press))
        elif ev == btn.C_SHORT:
            s.skip()
        elif ev == btn.C_LONG:
            s.finish()

    def _start(self):
        """Build a Session on the chosen plan and start its 3-2-1."""
        self.sess = None
        gc.collect()  # a clean heap before timing starts
        s = ses.Session(self.tables[self.idx], self.clock, self.edge, self._books)
        self.sess = s
        self.seq = -1
        self._step = -2
        t = getattr(self.clock, "time", None)
        self.start_s = int(t()) if t is not None else 0
        self.start_ticks_ms = self.clock.ticks_ms()
        self._rtc_at_start = self.rtc_set
        self._onsets = self.edge.n_onsets
        self.edge.reset_worst()  # the IRQ keeps this session's worst onset error exactly
        self._ckpt_done = 0
        if self.ckpt is not None:
            self.ckpt.new_session()
        s.start()
        self.mode = M_RUN
        self._cache_step()

    def _cache_step(self):
        """Strings and bases for the current step, made once per step (not per redraw)."""
        s = self.sess
        if s.step == self._step:
            return
        self._step = s.step
        t = s.table
        c = s.cursor
        self._label = t.label(c.label)
        pv = s.preview
        self._nkind = pv.kind if pv is not None else -1
        self._nlabel = t.label(pv.label) if pv is not None else ""
        base = 0
        for i in range(s.step if s.step > 0 else 0):
            base += s.actual_ms[i]
        self._step_base_ms = base

    # ----- logging -----

    def worst_onset_us(self):
        """This session's worst onset error for the log: 0..0xFFFE us, 0xFFFF = unknown."""
        if self.edge.n_onsets == self._onsets:
            return 0xFFFF  # no cue sounded
        w = self.edge.worst_onset_us()
        return w if w < 0xFFFE else 0xFFFE

    def _recover(self):
        """At boot: log a session a dead battery or the watchdog left open ("power loss" /
        "watchdog"); returns its seq or 0. A failure here must not stop the beeper."""
        lb = self.logbook
        if lb is None:
            return 0
        import checkpoint
        import logbook
        import machine

        self.ckpt = checkpoint.Checkpoints(lb)

        wdt = getattr(machine, "WDT_RESET", -1)
        cause = machine.reset_cause() if hasattr(machine, "reset_cause") else 0
        reason = logbook.END_WATCHDOG if cause == wdt else logbook.END_POWER_LOSS
        try:
            return self.ckpt.recover(reason)
        except Exception as e:  # noqa: BLE001 - FlashFull keeps the checkpoint for later
            print("log:", e)
            return 0

    def _checkpoint(self):
        """After each closed interval, at the first moment no cue is near: save the session
        so far, so a dead battery loses at most the interval running."""
        s = self.sess
        ck = self.ckpt
        if ck is None or s is None or s.n_done == self._ckpt_done:
            return
        if s.quiet_ms() < self.CHECKPOINT_GUARD_MS:
            return
        self._ckpt_done = s.n_done
        try:
            if ck.save(s, s.table.crc, self.start_s, boot_count=self.boot_count(),
                             start_ticks_ms=self.start_ticks_ms, rtc_set=self._rtc_at_start,
                             worst_onset_us=self.worst_onset_us()):
                self.checkpoints += 1
        except Exception as e:  # noqa: BLE001 - timing never depends on the store
            print("log:", e)

    def _save(self):
        """Write the log once no cue sounds or is near (flash writes stall the CPU)."""
        s = self.sess
        if s.quiet_ms() < self.WRITE_GUARD_MS:
            return
        self._dirty = True
        self.mode = M_SUMMARY
        lb = self.logbook
        if lb is None:
            return
        self.saves += 1
        try:
            self.seq = lb.append(s, s.table.crc, self.start_s, self.rpe,
                                 boot_count=self.boot_count(),
                                 start_ticks_ms=self.start_ticks_ms,
                                 rtc_set=self._rtc_at_start,
                                 worst_onset_us=self.worst_onset_us())
            self.ckpt.clear()
            self.full = not self._log_room()  # the menu warns before the next session
        except OSError as e:
            print("log:", e)
        except Exception as e:  # noqa: BLE001 - store.FlashFull, or a damaged log
            if getattr(lb, "full", False):
                self.full = True
                self.mode = M_FULL
            else:
                print("log:", e)

    # ----- drawing -----

    def _secs(self):
        """The number the big clock shows now (changes trigger a redraw), or -1."""
        s = self.sess
        if self.mode != M_RUN or s is None:
            return -1
        st = s.state
        if st == ses.S_COUNTDOWN:
            return s.countdown_s()
        r = s.remaining_ms()
        if r < 0:  # open lap step: counts up
            return (s.elapsed_ms() - self._step_base_ms) // 1000
        return (r + 999) // 1000

    def _quiet_enough(self):
        """May a ~25 ms show() start now? Not when the next cue is due within the guard."""
        s = self.sess
        if s is None:
            return True
        if not self.edge.hard:
            # soft timer: a show() would also delay the edges of a pattern now sounding
            return s.quiet_ms() >= self.SHOW_GUARD_MS
        # hard timer: a sounding pattern's edges run in the IRQ, whatever the loop does
        us = s.until_cue_us()
        return us < 0 or us >= self.SHOW_GUARD_MS * 1000

    def _redraw(self):
        secs = self._secs()
        if secs != self._shown_secs:
            self._dirty = True
        if not self._dirty:
            return
        now = self.clock.ticks_ms()
        d = self.clock.ticks_diff(now, self._last_show)
        # d < 0: the last show is more than half the ticks period ago (~6 days idle): long past
        if 0 <= d < self._show_wait:
            return
        if not self._quiet_enough():
            return
        try:
            if self._show_failed:
                self.ui.wake()  # the OLED may have lost power: initialise it again
            self.draw()
            self.ui.show()
        except OSError as e:  # I2C error (loose cable): timing and logging go on; retry later
            self.show_errors += 1
            if not self._show_failed:
                print("display:", e)
            self._show_failed = True
            self._show_wait = self.SHOW_RETRY_MS
            self._last_show = self.clock.ticks_ms()
            return
        self._show_failed = False
        self._show_wait = self.REDRAW_MS
        self._shown_secs = secs
        self._dirty = False
        self._last_show = self.clock.ticks_ms()

    def draw(self):
        """Draw the current screen into the frame buffer (no show)."""
        u = self.ui
        m = self.mode
        s = self.sess
        if m == M_MENU:
            t = self.tables[self.idx]
            if self._menu_info != self.idx:
                self._menu_info = self.idx
                self._intervals = work_steps(t)
            u.menu(t.title(), t.total_s(), self._intervals, self.idx, len(self.tables),
                   self.full, self._warn, "BUILT-IN" if self.damaged else "PLAN")
        elif m == M_RUN:
            st = s.state
            c = s.cursor
            if st == ses.S_COUNTDOWN:
                u.countdown(s.countdown_s(), s.table.title())
            elif st == ses.S_PAUSED or c.dur_s:
                u.running(c.kind, self._label, s.remaining_ms() if c.dur_s else 0, c.rep,
                          c.reps, self._nkind, self._nlabel, st == ses.S_PAUSED, self._note)
            else:
                # a stopwatch shows whole seconds passed (the clock rounds up: floor it here)
                u.wait_lap(c.kind, self._label, (s.elapsed_ms() - self._step_base_ms) // 1000
                           * 1000, s.laps[s.step], c.rep, c.reps)
        elif m == M_RPE or m == M_SAVE:
            u.rpe(self.rpe)
        elif m == M_FULL:
            u.flash_full()
        else:
            done, skipped, laps, work = tally(s)
            u.summary(s.elapsed_ms() // 1000, s.n_done, s.n_steps, work, skipped, laps,
                      self.rpe, self.seq, self.full and self.seq < 0,
                      s.end_reason == ses.END_EARLY)


def work_steps(table):
    """Number of work intervals after expanding repeats."""
    c = plan.Cursor(table)
    n = 0
    while c.next():
        if c.kind == plan.K_WORK:
            n += 1
    return n


def tally(s):
    """(steps done, skipped, lap taps, work steps done) of a finished session."""
    skipped = 0
    laps = 0
    work = 0
    c = plan.Cursor(s.table)
    for i in range(s.n_done):
        c.next()
        if s.flags[i] & ses.F_SKIPPED:
            skipped += 1
        laps += s.laps[i]
        if c.kind == plan.K_WORK:
            work += 1
    return s.n_done, skipped, laps, work


def run(hw):
    """Entry point from main.py: build the app on the board's hardware and loop forever."""
    import micropython

    if hasattr(micropython, "alloc_emergency_exception_buf"):
        micropython.alloc_emergency_exception_buf(100)  # tracebacks from IRQ handlers
    App(hw).run()
