"""Built-in session tables for a device with no plan set yet (see tests/test_app_defaults.py)."""

# plan.encode() of the DESIGN.md example sessions (about 300 bytes in all).
BEGINNER = (
    b"\x01\x00\x05\x06\x16Beginner speed session\x0fDynamic warm-up\nHigh knees\x10Walking"
    b" recovery\x11Static stretching\x08\x07\x05\x06\x11(\x1aP\x06$\x07\x81\x90'\x90"
)
INTERMEDIATE = (
    b'\x01\x00\x05\x06\x1aIntermediate speed session\x0fDynamic warm-up\x0bJump squats\x0f'
    b'Active recovery\x11Static stretching\x08\t\x05\x08\x11\x1e\x1bZ\x06$\x07\xe1\xd6\xdb'
    b','
)
ADVANCED = (
    b'\x01\x00\x05\x06\x16Advanced speed session\x0fDynamic warm-up\x07Burpees\x04Rest\x11'
    b'Static stretching\x08\x0b\x05\n\x11<\x1a<\x06$\x07\x02D\xd5\x03'
)

PLANS = (BEGINNER, INTERMEDIATE, ADVANCED)
