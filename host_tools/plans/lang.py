"""The plan language: text <-> plan dicts, with `file:line:col` diagnostics."""

import difflib
import re

from host_tools import fw

table = fw.load("plan")

KINDS = table.KIND_NAMES
OPTION_NAMES = {"@halfway": table.OPT_HALFWAY, "@noticks": table.OPT_NO_TICKS,
                "@between": table.OPT_BETWEEN}
HEADER_KEYS = ("title", "halfway")
YES = ("yes", "on", "true", "1")
NO = ("no", "off", "false", "0")

_HEADER_RE = re.compile(r"([A-Za-z_][\w-]*)\s*:\s*(.*)$")
_REPEAT_RE = re.compile(r"(\d+)\s*[xX]$")
_HMS_RE = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_CLOCK_RE = re.compile(r"(\d+):(\d+)$")
_LINES_RE = re.compile(r"\r\n|\r|\n")  # CRLF and old-Mac CR files split like LF ones
_CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # the OLED has no glyph for these


class Diagnostic:
    """One error at a position in a plan file."""

    def __init__(self, filename, line, col, message):
        self.filename, self.line, self.col, self.message = filename, line, col, message

    def __str__(self):
        return "%s:%d:%d: %s" % (self.filename, self.line, self.col, self.message)

    def as_dict(self):
        """JSON-friendly form."""
        return {"file": self.filename, "line": self.line, "col": self.col,
                "message": self.message}


class PlanSyntaxError(Exception):
    """A plan file with errors; `diagnostics` lists every one found."""

    def __init__(self, diagnostics):
        super().__init__("\n".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics


def parse_duration(token):
    """Duration token -> seconds (0 for `lap`); ValueError with a message when bad.

    One rule for both forms: after minutes, seconds run 00-59 (`1:90` and `1m90s` are both
    refused: write 2:30 / 2m30s), and after hours minutes run 00-59; alone, `90s` is fine.
    """
    if token == "lap":
        return 0
    m = _CLOCK_RE.match(token)
    if m:
        minutes, seconds = int(m.group(1)), int(m.group(2))
        if seconds >= 60:
            raise ValueError("bad duration %r: seconds after minutes run 00-59 (write %d:%02d)"
                             % (token, minutes + seconds // 60, seconds % 60))
        if len(m.group(2)) != 2:
            raise ValueError("bad duration %r: write M:SS with two-digit seconds" % token)
        total = minutes * 60 + seconds
    else:
        m = _HMS_RE.match(token)
        if not token or not m or not any(m.groups()):
            raise ValueError("bad duration %r (expected e.g. 45s, 3m, 1m30s, 1:30 or lap)"
                             % token)
        h, mi, s = (int(g) if g else 0 for g in m.groups())
        if m.group(2) and s >= 60:
            raise ValueError("bad duration %r: seconds after minutes run 00-59 (write %s)"
                             % (token, format_duration(mi * 60 + s)))
        if m.group(1) and mi >= 60:
            raise ValueError("bad duration %r: minutes after hours run 00-59 (write %dh%dm)"
                             % (token, h + mi // 60, mi % 60))
        total = h * 3600 + mi * 60 + s
    if total == 0:
        raise ValueError("duration must be more than 0 (use `lap` for an open step)")
    if total > table.MAX_STEP_S:
        raise ValueError("duration %s is absurd: a step lasts at most %d hours"
                         % (token, table.MAX_STEP_S // 3600))
    return total


def format_duration(sec):
    """Seconds -> the shortest duration token that parses back to them."""
    if sec == 0:
        return "lap"
    m, s = divmod(sec, 60)
    if not m:
        return "%ds" % s
    return "%dm" % m if not s else "%dm%02ds" % (m, s)


_BAD_BYTE_RE = re.compile("[\udc80-\udcff]+")


def _decode(data, filename, diags):
    """Bytes -> text; each line holding undecodable bytes gets one error at its first one.

    One pass (surrogateescape marks each bad byte), so junk input stays linear.
    """
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "surrogateescape")
    lines = text.split("\n")
    for lineno, line in enumerate(lines, 1):
        bad = _BAD_BYTE_RE.findall(line)
        if bad:
            first = _BAD_BYTE_RE.search(line).start()
            n = sum(len(b) for b in bad)
            diags.append(Diagnostic(filename, lineno, first + 1, "text is not valid UTF-8 (%d "
                                    "bad byte%s on this line)" % (n, "" if n == 1 else "s")))
            lines[lineno - 1] = _BAD_BYTE_RE.sub("\ufffd", line)
    return "\n".join(lines)


_CONTROL_NAMES = {"\x0b": "vertical tab", "\x0c": "form feed", "\x00": "NUL byte"}


def _char_name(ch):
    """'U+00A0 (no-break space)' for a stray character."""
    import unicodedata

    name = _CONTROL_NAMES.get(ch) or unicodedata.name(ch, "control character").lower()
    return "U+%04X (%s)" % (ord(ch), name)


def _sniff(data, filename):
    """A UTF-16 file (byte order mark): one Diagnostic saying so, else None."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return Diagnostic(filename, 1, 1, "file is UTF-16: save it as UTF-8")
    return None


def _control(text, lineno, col, what, err):
    """Report a control character (escape, bell, ...) in a title or label."""
    m = _CONTROL_RE.search(text)
    if m:
        err(lineno, col + m.start(), "control character U+%04X in the %s"
            % (ord(m.group(0)), what))


class _Block:
    """An open block while parsing: its indentation and where its steps go."""

    def __init__(self, indent, steps, opener=None):
        self.indent, self.steps, self.opener = indent, steps, opener


def parse(data, filename="<plan>"):
    """Plan text (str or bytes) -> plan dict; raises PlanSyntaxError listing every error."""
    diags = []

    def err(line, col, msg):
        diags.append(Diagnostic(filename, line, col, msg))

    if isinstance(data, bytes):
        if data[:3] == b"\xef\xbb\xbf":
            data = data[3:]  # a UTF-8 byte order mark (Windows editors) is not an error
        bad = _sniff(data, filename)
        if bad is not None:
            raise PlanSyntaxError([bad])
    text = _decode(data, filename, diags)
    headers = {}
    root = []
    stack = [_Block("", root)]
    pending = None  # the repeat node whose block has not started yet
    indent_style = None  # (char, line) of the first indented line
    seen_step = False
    for lineno, raw in enumerate(_LINES_RE.split(text), 1):
        body = raw.lstrip(" \t")
        if not body or body.startswith("#"):
            continue
        indent = raw[: len(raw) - len(body)]
        if body[0].isspace() or not body[0].isprintable():
            err(lineno, len(indent) + 1, "stray %s: only spaces and tabs may indent a line or "
                "stand alone on it" % _char_name(body[0]))
            continue
        body = re.split(r"\s+#", body, maxsplit=1)[0].rstrip()
        placed = True  # False: report the line's own errors but keep it out of the plan
        if " " in indent and "\t" in indent:
            err(lineno, 1, "indentation mixes tabs and spaces")
            placed = False
        elif indent:
            style = indent[0]
            if indent_style is None:
                indent_style = (style, lineno)
            elif style != indent_style[0]:
                err(lineno, 1, "indented with %s but line %d uses %s"
                    % (_ws_name(style), indent_style[1], _ws_name(indent_style[0])))
                placed = False
        col0 = len(indent) + 1
        m = _HEADER_RE.match(body)
        if m and m.group(1).lower() not in KINDS:
            if seen_step:
                err(lineno, col0, "header %r after the first step" % m.group(1))
            elif indent:
                err(lineno, 1, "header lines are not indented")
            else:
                _header(m, lineno, headers, err)
            continue
        if placed:
            placed, pending = _place(stack, pending, indent, lineno, err)
        seen_step = True
        node = _statement(body, lineno, col0, err)
        if node is None or not placed:
            continue
        stack[-1].steps.append(node)
        if node[0] == "repeat":
            pending = node
    if pending is not None:
        err(pending[4], pending[5], "empty repeat: indent the steps to repeat under it")
    if "title" not in headers:
        diags.insert(0, Diagnostic(filename, 1, 1, "missing `title:` header"))
    if not seen_step and "title" in headers:
        err(1, 1, "the plan has no steps")
    plan = {"title": headers.get("title", ("", 0))[0],
            "flags": table.FLAG_HALFWAY if headers.get("halfway", (False,))[0] else 0,
            "steps": _strip(root)}
    _check_between(root, 0, err)
    if not diags:
        _device_limits(plan, root, err)
    if diags:
        diags.sort(key=lambda d: (d.line, d.col))
        raise PlanSyntaxError(diags)
    return plan


def _place(stack, pending, indent, lineno, err):
    """Fit a line's indentation to the open blocks; returns (placed, pending repeat)."""
    if pending is not None:
        top = stack[-1].indent
        if len(indent) > len(top) and indent.startswith(top):
            if len(stack) > table.MAX_DEPTH:
                err(pending[4], pending[5], "repeats nested deeper than %d" % table.MAX_DEPTH)
            stack.append(_Block(indent, pending[2], pending))
            return True, None
        err(pending[4], pending[5], "empty repeat: indent the steps to repeat under it")
        pending = None
    if indent == stack[-1].indent:
        return True, pending
    if len(indent) > len(stack[-1].indent):
        err(lineno, 1, "unexpected indentation")
        return False, pending
    while len(stack) > 1 and len(stack[-1].indent) > len(indent):
        stack.pop()
    if stack[-1].indent != indent:
        err(lineno, 1, "indentation does not match any outer block")
        return False, pending
    return True, pending


def _ws_name(ch):
    return "tabs" if ch == "\t" else "spaces"


def _header(m, lineno, headers, err):
    """Record one `key: value` header line."""
    key, value = m.group(1).lower(), m.group(2).strip()
    vcol = m.start(2) + 1
    if key not in HEADER_KEYS:
        near = difflib.get_close_matches(key, HEADER_KEYS, 1)
        hint = " (did you mean %r?)" % near[0] if near else " (known: %s)" % ", ".join(
            HEADER_KEYS)
        err(lineno, 1, "unknown header %r%s" % (m.group(1), hint))
    elif key in headers:
        err(lineno, 1, "%r given twice (first on line %d)" % (key, headers[key][1]))
    elif key == "title":
        if not value:
            err(lineno, vcol, "empty title")
        elif len(value.encode("utf-8")) > table.MAX_TEXT:
            err(lineno, vcol, "title is %d bytes; the device holds at most %d"
                % (len(value.encode("utf-8")), table.MAX_TEXT))
        else:
            _control(value, lineno, vcol, "title", err)
        headers[key] = (value, lineno)
    elif key == "halfway":
        if value.lower() not in YES + NO:
            err(lineno, vcol, "halfway takes yes or no, not %r" % value)
        headers[key] = (value.lower() in YES, lineno)


def _statement(body, lineno, col, err):
    """Parse a step or repeat line into a node carrying its position (None on error)."""
    m = _REPEAT_RE.match(body)
    if m:
        n = int(m.group(1))
        if n < 1:
            err(lineno, col, "repeat count must be at least 1")
        elif n > table.MAX_REPEAT:
            err(lineno, col, "repeat count %d is absurd (at most %d)" % (n, table.MAX_REPEAT))
        return ["repeat", n, [], 0, lineno, col]
    words = list(re.finditer(r"\S+", body))
    kind = words[0].group(0)
    if kind.lower() not in KINDS:
        near = difflib.get_close_matches(kind.lower(), KINDS, 1)
        hint = "did you mean %r?" % near[0] if near else "expected %s, or Nx" % ", ".join(
            KINDS)
        err(lineno, col, "unknown step kind %r (%s)" % (kind, hint))
        return None
    if len(words) < 2:
        err(lineno, col + len(kind), "missing duration after %r" % kind)
        return None
    dtok = words[1]
    try:
        dur = parse_duration(dtok.group(0).lower())
    except ValueError as e:
        err(lineno, col + dtok.start(), str(e))
        return None
    opts = 0
    rest = words[2:]
    while rest and rest[-1].group(0).startswith("@"):
        tok = rest.pop()
        name = tok.group(0).lower()
        if name not in OPTION_NAMES:
            err(lineno, col + tok.start(), "unknown option %r (known: %s)"
                % (tok.group(0), ", ".join(sorted(OPTION_NAMES))))
        else:
            opts |= OPTION_NAMES[name]
    label = body[rest[0].start(): rest[-1].end()] if rest else ""
    if len(label.encode("utf-8")) > table.MAX_TEXT:
        err(lineno, col + rest[0].start(), "label is %d bytes; the device holds at most %d"
            % (len(label.encode("utf-8")), table.MAX_TEXT))
    elif label:
        _control(label, lineno, col + rest[0].start(), "label", err)
    return [kind.lower(), dur, label, opts, lineno, col]


def _strip(nodes):
    """Parser nodes -> the plan's step tuples."""
    out = []
    for n in nodes:
        if n[0] == "repeat":
            out.append(("repeat", n[1], _strip(n[2])))
        else:
            out.append((n[0], n[1], n[2], n[3]))
    return out


def _between(node):
    return node[0] != "repeat" and node[3] & table.OPT_BETWEEN


def _check_between(nodes, depth, err):
    """`@between` steps sit in a repeat that keeps at least one other step or repeat."""
    for n in nodes:
        if n[0] == "repeat":
            if n[2] and all(_between(c) for c in n[2]):
                err(n[4], n[5], "every step of this repeat is @between: its last round "
                    "would be empty")
            _check_between(n[2], depth + 1, err)
        elif _between(n) and not depth:
            err(n[4], n[5], "@between belongs on a step inside a repeat (it drops the step "
                "from the last round)")


def _expanded(nodes):
    return sum(n[1] * _expanded(n[2]) - sum(1 for c in n[2] if _between(c))
               if n[0] == "repeat" else 1 for n in nodes)


def _device_limits(plan, root, err):
    """Report what the device cannot hold: too many steps, labels or bytes."""
    total = 0
    for n in root:
        total += n[1] * _expanded(n[2]) if n[0] == "repeat" else 1
        if total > table.MAX_STEPS:
            err(n[4], n[5], "the plan expands to more than %d steps, the device's limit"
                % table.MAX_STEPS)
            return
    try:
        data = table.encode(plan)
    except table.PlanError as e:
        err(1, 1, "the device cannot hold this plan: %s" % e)
        return
    if len(data) > table.MAX_BYTES:  # encode() checks too; kept for a clear message
        err(1, 1, "table is %d bytes; the device holds at most %d"
            % (len(data), table.MAX_BYTES))


def to_text(plan):
    """Plan dict -> plan language text (parse(to_text(p)) == p)."""
    lines = ["title: %s" % plan["title"]]
    if plan.get("flags", 0) & table.FLAG_HALFWAY:
        lines.append("halfway: yes")
    lines.append("")

    def emit(steps, depth):
        pad = "  " * depth
        for st in steps:
            if st[0] == "repeat":
                lines.append("%s%dx" % (pad, st[1]))
                emit(st[2], depth + 1)
                continue
            words = [st[0], format_duration(st[1])]
            if st[2]:
                words.append(st[2])
            for name, bit in sorted(OPTION_NAMES.items()):
                if st[3] & bit:
                    words.append(name)
            lines.append(pad + " ".join(words))

    emit(plan["steps"], 0)
    return "\n".join(lines) + "\n"


def load(path):
    """Read and parse a plan file."""
    with open(path, "rb") as f:
        return parse(f.read(), path)
