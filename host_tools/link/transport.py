"""Serial transport for the link: port discovery (--port, BEEPER_PORT, USB VID 0x2E8A), lines."""

import os
import time

PICO_VID = 0x2E8A
BAUD = 115200  # ignored by USB CDC and ptys; pyserial needs a value


class LinkError(Exception):
    """A link failure the CLI reports as one line (subclasses say which)."""


class NoDevice(LinkError):
    """No port given and no Pico on USB."""


class PortBusy(LinkError):
    """Another program holds the port."""


class Disconnected(LinkError):
    """The cable was pulled (or the port went away) mid-way."""


class Silent(LinkError):
    """The port answered nothing in time."""


def find_port(port=None, comports=None):
    """--port, else $BEEPER_PORT, else the one USB device with the Pico's VID."""
    if port:
        return port
    env = os.environ.get("BEEPER_PORT")
    if env:
        return env
    if comports is None:
        import serial.tools.list_ports

        comports = serial.tools.list_ports.comports()
    found = sorted(p.device for p in comports if p.vid == PICO_VID)
    if not found:
        raise NoDevice("no beeper found: plug it in (USB 2E8A), or give --port / set "
                       "BEEPER_PORT")
    if len(found) > 1:
        raise NoDevice("several beepers found (%s): choose one with --port" % ", ".join(found))
    return found[0]


class Transport:
    """A serial port read as lines; every OS error becomes Disconnected."""

    MAX_LINE = 8192  # longer replies are not ours: dropped

    def __init__(self, port):
        import serial

        self.port = port
        try:
            self.ser = serial.Serial(port, BAUD, timeout=0.05, exclusive=True)
        except serial.SerialException as e:
            msg = str(e)
            if "lock" in msg or "busy" in msg.lower() or getattr(e, "errno", 0) == 16:
                raise PortBusy("%s is busy: another program (mpremote, a terminal, "
                               "`beeper sim --keys`?) has it open" % port) from None
            if not os.path.exists(port):
                raise NoDevice("%s: no such port (is the beeper plugged in?)" % port) from None
            raise LinkError("cannot open %s: %s" % (port, msg)) from None
        self.buf = bytearray()
        self.wire_out = 0
        self.wire_in = 0
        self.noise = bytearray()  # non-frame output seen (REPL prompts, prints), bounded

    def write(self, data):
        import serial

        try:
            self.ser.write(data)
            self.ser.flush()
        except (OSError, serial.SerialException) as e:
            raise Disconnected("%s: device disconnected while sending (%s)" % (self.port, e)) \
                from None
        self.wire_out += len(data)

    def readline(self, deadline):
        """Next line (bytes, no newline) or None at the deadline (time.monotonic())."""
        import serial

        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[: i + 1]
                return line.rstrip(b"\r")
            if len(self.buf) > self.MAX_LINE:
                self._note(self.buf)
                self.buf.clear()
            if time.monotonic() > deadline:
                return None
            try:
                data = self.ser.read(max(1, self.ser.in_waiting))
            except (OSError, serial.SerialException, TypeError) as e:
                raise Disconnected("%s: device disconnected (%s)" % (self.port, e)) from None
            self.wire_in += len(data)
            self.buf += data

    def discard(self):
        """Drop stale input (late replies, prompts) before a new request."""
        import serial

        self.buf.clear()
        try:
            self.ser.reset_input_buffer()
        except (OSError, serial.SerialException) as e:
            raise Disconnected("%s: device disconnected (%s)" % (self.port, e)) from None

    def _note(self, data):
        self.noise += data[-512:]
        del self.noise[:-2048]

    def close(self):
        try:
            self.ser.close()
        except Exception:  # noqa: BLE001 - closing a port whose cable is gone
            pass
