#!/usr/bin/env python3
"""Seeds the dissect_frame corpus: single frames cut from legacy pcap captures, each prefixed with the
byte that makes the fuzz target pick the capture's link type (see LINK_TYPES in
fuzz_targets/dissect_frame.rs). Usage: seed_frames.py OUT_DIR CAPTURE..."""
import pathlib
import struct
import sys

LINK_TYPES = [0, 1, 101, 108, 113, 228, 229, 276, 147, 9, 50, 105, 127, 192]  # the order of dissect_frame.rs
FRAMES_PER_CAPTURE = 40


def frames(data):
    """(link type, frame bytes) of the first records of a legacy pcap, or nothing."""
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        return
    link_type = struct.unpack(endian + "I", data[20:24])[0] & 0x0FFFFFFF
    offset = 24
    for _ in range(FRAMES_PER_CAPTURE):
        if offset + 16 > len(data):
            return
        caplen = struct.unpack(endian + "I", data[offset + 8 : offset + 12])[0]
        frame = data[offset + 16 : offset + 16 + caplen]
        if len(frame) < caplen:
            return
        yield link_type, frame
        offset += 16 + caplen


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for path in sys.argv[2:]:
        for i, (link_type, frame) in enumerate(frames(pathlib.Path(path).read_bytes())):
            if link_type in LINK_TYPES:
                seed = out / f"{pathlib.Path(path).stem}-{i:03d}"
                seed.write_bytes(bytes([LINK_TYPES.index(link_type)]) + frame)
                written += 1
    print(f"   {written} single-frame seeds in {out}")


if __name__ == "__main__":
    main()
