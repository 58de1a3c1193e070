"""Session tables: the compact binary plan format, read in place by a cursor.

Byte layout (all multi-byte integers little-endian):

    0     u8   version (VERSION)
    1     u8   flags (FLAG_HALFWAY: halfway cue in every work step)
    2     u8   nstr: entries in the string table; string 0 is the title
    3     u8   nops: entries in the step program
    4     ...  string table: nstr x (u8 length, UTF-8 bytes)
    ...   ...  step program: nops ops (below)
    -4    u32  CRC32 of every byte before it

An op starts with one byte; bits 0-2 are its code:

    0-4  a step of kind K_WARMUP..K_COOLDOWN
         bits 3-6: label: 0 none, 1-14 string index, 15 = index in a byte after the duration
         bit 7:    an options byte (OPT_*) follows (after the label byte, if any)
         then the duration as a unit-tagged varint: (n << 1) | unit, unit 0 = seconds,
         1 = minutes, in little-endian 7-bit groups; 0 is an open `lap` step
    5    REPEAT: a varint count follows; the ops up to the matching END run count times
    6    END of the innermost repeat

A step with OPT_BETWEEN in its options byte is left out of its innermost repeat's last round;
it must sit inside a repeat, and every repeat keeps at least one child without it.

The tagged varint keeps every whole minute up to 63 and every second count up to 63 in one
byte, so the Advanced sample (5 ops, 5 strings) costs 24 bytes beyond its text.
The device never expands a table: a Cursor walks the program with a small repeat stack.
"""

from crc import crc32

VERSION = 1

K_WARMUP = 0
K_WORK = 1
K_REST = 2
K_RECOVER = 3
K_COOLDOWN = 4
KIND_NAMES = ("warmup", "work", "rest", "recover", "cooldown")

OP_REPEAT = 5
OP_END = 6

OPT_HALFWAY = 1  # sound a cue at the middle of this step
OPT_NO_TICKS = 2  # no last-3-seconds ticks in this step
# Played between the rounds of its innermost repeat, left out of the last round (a recovery
# between reps, none after the last). Older firmware ignores the bit and plays it every round.
OPT_BETWEEN = 4
FLAG_HALFWAY = 1  # plan flag: OPT_HALFWAY on every work step

# Device limits: the per-step log arrays are preallocated from step_count(), 16 bytes a step.
MAX_DEPTH = 4
MAX_STEPS = 500
MAX_BYTES = 1024
MAX_STEP_S = 4 * 3600
MAX_REPEAT = 99
MAX_TEXT = 40  # bytes of a title or label; the OLED shows 16 characters a line

_HEADER = 4
_LABEL_ESC = 15


class PlanError(ValueError):
    """A session table that cannot be used, with the reason."""


class Table:
    """A validated session table, read in place from its bytes."""

    def __init__(self, buf):
        mv = memoryview(buf)
        n = len(mv)
        if n < _HEADER + 4:
            raise PlanError("table too short (%d bytes)" % n)
        if n > MAX_BYTES:
            raise PlanError("table too large (%d bytes, at most %d)" % (n, MAX_BYTES))
        stored = mv[n - 4] | mv[n - 3] << 8 | mv[n - 2] << 16 | mv[n - 1] << 24
        if crc32(mv[: n - 4]) != stored:
            raise PlanError("bad CRC")
        if mv[0] != VERSION:
            raise PlanError("unsupported table version %d" % mv[0])
        self.buf = mv
        self.crc = stored
        self.flags = mv[1]
        self.nstr = mv[2]
        if self.nstr < 1:
            raise PlanError("no title")
        pos = _HEADER
        for i in range(self.nstr):
            if pos >= n - 4 or pos + 1 + mv[pos] > n - 4:
                raise PlanError("string table runs past the end")
            _check_text(mv, pos, i)
            pos += 1 + mv[pos]
        self.ops_at = pos
        self.ops_end = n - 4
        self._check_program()

    def _check_program(self):
        """Walk the program once: structure, bounds, expanded step count and total time."""
        c = Cursor(self, check=True)
        nops = 0
        steps = 0
        total = 0
        mult = [1] * (MAX_DEPTH + 1)
        inner_steps = [0] * (MAX_DEPTH + 1)
        plain = [0] * (MAX_DEPTH + 1)  # children without OPT_BETWEEN, per open repeat
        depth = 0
        pos = self.ops_at
        mv = self.buf
        while pos < self.ops_end:
            nops += 1
            code = mv[pos] & 7
            if code == OP_REPEAT:
                pos = c._varint(pos + 1)
                if c._v < 1 or c._v > MAX_REPEAT:
                    raise PlanError("repeat count %d out of range" % c._v)
                if depth == MAX_DEPTH:
                    raise PlanError("repeats nested deeper than %d" % MAX_DEPTH)
                depth += 1
                mult[depth] = mult[depth - 1] * c._v
                inner_steps[depth] = 0
                plain[depth] = 0
            elif code == OP_END:
                if depth == 0:
                    raise PlanError("END without a repeat")
                if inner_steps[depth] == 0:
                    raise PlanError("empty repeat")
                if plain[depth] == 0:
                    raise PlanError("repeat has only between-rounds steps")
                inner_steps[depth - 1] += inner_steps[depth]
                plain[depth - 1] += 1
                depth -= 1
                pos += 1
            elif code <= K_COOLDOWN:
                pos = c._step(pos)
                times = mult[depth]
                if c.raw_opts & OPT_BETWEEN:
                    if depth == 0:
                        raise PlanError("between-rounds step outside a repeat")
                    times -= mult[depth - 1]  # one round fewer in each outer round
                else:
                    plain[depth] += 1
                steps += times
                total += c.dur_s * times
                inner_steps[depth] += 1
            else:
                raise PlanError("bad op code %d at offset %d" % (code, pos))
            if pos > self.ops_end:
                raise PlanError("op runs past the end")
            if steps > MAX_STEPS:
                raise PlanError("more than %d steps" % MAX_STEPS)
        if depth:
            raise PlanError("repeat without END")
        if nops != self.buf[3]:
            raise PlanError("op count %d, header says %d" % (nops, self.buf[3]))
        if steps == 0:
            raise PlanError("no steps")
        self._steps = steps
        self._total = total

    def step_count(self):
        """Steps after expanding every repeat."""
        return self._steps

    def total_s(self):
        """Planned seconds; open `lap` steps count 0."""
        return self._total

    def _string_at(self, i):
        """Offset of string i's length byte."""
        pos = _HEADER
        for _ in range(i):
            pos += 1 + self.buf[pos]
        return pos

    def title(self):
        """The plan's title."""
        return self.label(0)

    def label(self, i):
        """String i of the table ('' for -1)."""
        if i < 0:
            return ""
        pos = self._string_at(i)
        return str(self.buf[pos + 1 : pos + 1 + self.buf[pos]], "utf-8")


def _check_text(mv, pos, i):
    """String i (length byte at pos): non-empty title, at most MAX_TEXT bytes of printable
    UTF-8. A table whose CRC matches can still hold nonsense; it is refused here, once."""
    ln = mv[pos]
    if ln > MAX_TEXT:
        raise PlanError("string %d is %d bytes (at most %d)" % (i, ln, MAX_TEXT))
    if i == 0 and ln == 0:
        raise PlanError("empty title")
    for k in range(pos + 1, pos + 1 + ln):
        b = mv[k]
        if b < 0x20 or b == 0x7F:
            raise PlanError("string %d holds control byte 0x%02x" % (i, b))
    try:
        str(bytes(mv[pos + 1 : pos + 1 + ln]), "utf-8")
    except UnicodeError:
        raise PlanError("string %d is not valid UTF-8" % i)


class Cursor:
    """Walks a table's expanded steps in place; next() allocates nothing."""

    def __init__(self, table, check=False):
        self.table = table
        self._mv = table.buf
        self._check = check
        # The repeat stack: body start offset, iteration (1-based) and count per level.
        self._body = [0] * MAX_DEPTH
        self._iter = [0] * MAX_DEPTH
        self._count = [0] * MAX_DEPTH
        self._v = 0
        self.reset()

    def reset(self):
        """Go back to before the first step."""
        self._pos = self.table.ops_at
        self._sp = 0
        self.index = -1
        self.kind = -1
        self.dur_s = 0
        self.label = -1
        self.opts = 0
        self.raw_opts = 0
        self.rep = 0
        self.reps = 0

    def copy_from(self, other):
        """Take another cursor's position (same table)."""
        self._pos = other._pos
        self._sp = other._sp
        for i in range(MAX_DEPTH):
            self._body[i] = other._body[i]
            self._iter[i] = other._iter[i]
            self._count[i] = other._count[i]
        self.index = other.index
        self.kind = other.kind
        self.dur_s = other.dur_s
        self.label = other.label
        self.opts = other.opts
        self.raw_opts = other.raw_opts
        self.rep = other.rep
        self.reps = other.reps

    def _varint(self, pos):
        """Read a varint at pos into self._v; return the offset after it."""
        mv = self._mv
        end = self.table.ops_end
        v = 0
        shift = 0
        while True:
            if pos >= end:
                raise PlanError("varint runs past the end")
            b = mv[pos]
            pos += 1
            v |= (b & 0x7F) << shift
            if not b & 0x80:
                break
            shift += 7
            if shift > 21:
                raise PlanError("varint too long")
        self._v = v
        return pos

    def _step(self, pos):
        """Decode the step op at pos into kind/dur_s/label/opts; return the next offset."""
        mv = self._mv
        op = mv[pos]
        self.kind = op & 7
        pos = self._varint(pos + 1)
        v = self._v
        self.dur_s = (v >> 1) * 60 if v & 1 else v >> 1
        lab = (op >> 3) & 15
        if lab == _LABEL_ESC:
            if pos >= self.table.ops_end:
                raise PlanError("label index runs past the end")
            lab = mv[pos]
            pos += 1
        if lab >= self.table.nstr or (self._check and lab == 0 and (op >> 3) & 15):
            raise PlanError("label index %d out of range" % lab)
        self.label = lab if lab else -1
        opts = 0
        if op & 0x80:
            if pos >= self.table.ops_end:
                raise PlanError("options byte runs past the end")
            opts = mv[pos]
            pos += 1
        self.raw_opts = opts
        if self.kind == K_WORK and self.table.flags & FLAG_HALFWAY:
            opts |= OPT_HALFWAY
        self.opts = opts
        if self._check and self.dur_s > MAX_STEP_S:
            raise PlanError("step of %d s is longer than %d s" % (self.dur_s, MAX_STEP_S))
        return pos

    def _last_round_skip(self, pos):
        """Offset after the step at pos if it is OPT_BETWEEN in its repeat's last round, else 0.

        Reads only the op's own bytes (validated by Table), so a skipped step leaves the
        cursor's fields as they were.
        """
        mv = self._mv
        op = mv[pos]
        sp = self._sp - 1
        if not op & 0x80 or sp < 0 or self._iter[sp] < self._count[sp]:
            return 0
        pos += 1
        while mv[pos] & 0x80:  # the duration varint
            pos += 1
        pos += 1
        if (op >> 3) & 15 == _LABEL_ESC:
            pos += 1
        return pos + 1 if mv[pos] & OPT_BETWEEN else 0

    def next(self):
        """Advance to the next expanded step; False after the last one."""
        mv = self._mv
        end = self.table.ops_end
        while self._pos < end:
            code = mv[self._pos] & 7
            if code == OP_REPEAT:
                pos = self._varint(self._pos + 1)
                sp = self._sp
                self._body[sp] = pos
                self._iter[sp] = 1
                self._count[sp] = self._v
                self._sp = sp + 1
                self._pos = pos
            elif code == OP_END:
                sp = self._sp - 1
                if self._iter[sp] < self._count[sp]:
                    self._iter[sp] += 1
                    self._pos = self._body[sp]
                else:
                    self._sp = sp
                    self._pos += 1
            else:
                skip = self._last_round_skip(self._pos)
                if skip:
                    self._pos = skip
                    continue
                self._pos = self._step(self._pos)
                self.index += 1
                if self._sp:
                    self.rep = self._iter[self._sp - 1]
                    self.reps = self._count[self._sp - 1]
                else:
                    self.rep = 0
                    self.reps = 0
                return True
        self.kind = -1
        return False


# ---- host side: building and reading whole plans (allocates freely) ----


def _put_varint(out, v):
    """Append v as a little-endian 7-bit varint."""
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return


def _dur_code(sec):
    """The unit-tagged duration: whole minutes in minutes, anything else in seconds."""
    if sec and sec % 60 == 0:
        return (sec // 60) << 1 | 1
    return sec << 1


def encode(plan):
    """Plan dict -> table bytes; raises PlanError for what the device cannot hold."""
    title = plan["title"].encode("utf-8")
    strings = [title]
    index = {}
    ops = bytearray()
    count = [0]

    def label_index(text):
        if not text:
            return 0
        if text not in index:
            index[text] = len(strings)
            strings.append(text.encode("utf-8"))
        return index[text]

    def emit(steps):
        for st in steps:
            count[0] += 1
            if st[0] == "repeat":
                ops.append(OP_REPEAT)
                _put_varint(ops, st[1])
                emit(st[2])
                ops.append(OP_END)
                count[0] += 1
                continue
            kind = KIND_NAMES.index(st[0])
            lab = label_index(st[2])
            opts = st[3] if len(st) > 3 else 0
            op = kind | (min(lab, _LABEL_ESC) << 3) | (0x80 if opts else 0)
            ops.append(op)
            _put_varint(ops, _dur_code(st[1]))
            if lab >= _LABEL_ESC:
                ops.append(lab)
            if opts:
                ops.append(opts)

    emit(plan["steps"])
    if len(strings) > 255:
        raise PlanError("more than 254 distinct labels")
    if count[0] > 255:
        raise PlanError("more than 255 ops")
    out = bytearray((VERSION, plan.get("flags", 0), len(strings), count[0]))
    for s in strings:
        if len(s) > MAX_TEXT:
            raise PlanError("text longer than %d bytes: %r" % (MAX_TEXT, s))
        out.append(len(s))
        out += s
    out += ops
    c = crc32(out)
    out += bytes((c & 0xFF, c >> 8 & 0xFF, c >> 16 & 0xFF, c >> 24 & 0xFF))
    Table(out)  # the device's own checks: size, steps, structure
    return bytes(out)


def decode(buf):
    """Table bytes -> plan dict (the nested form encode() takes)."""
    t = Table(buf)
    c = Cursor(t)
    mv = t.buf
    root = []
    stack = [root]
    pos = t.ops_at
    while pos < t.ops_end:
        code = mv[pos] & 7
        if code == OP_REPEAT:
            pos = c._varint(pos + 1)
            block = []
            stack[-1].append(("repeat", c._v, block))
            stack.append(block)
        elif code == OP_END:
            stack.pop()
            pos += 1
        else:
            pos = c._step(pos)
            stack[-1].append((KIND_NAMES[c.kind], c.dur_s, t.label(c.label), c.raw_opts))
    return {"title": t.title(), "flags": t.flags, "steps": root}

