"""Host side of the USB link: serial transport, port discovery, protocol client."""
