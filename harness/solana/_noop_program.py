"""A two-instruction SBF program (`r0 = 0; exit`) that accepts any instruction and succeeds.

The real Nosana programs' binaries are not available offline, so the local ledger deploys
this at the local Jobs and Staking addresses: transactions that call them with real
Anchor instruction data execute and are signed and recorded like mainnet ones, and the
harness then writes the accounts those programs would have written (`set_account`).
The ELF is the smallest one the SBF loader accepts: one PT_LOAD segment, a `.text`
section whose address equals its file offset, and a section-name string table.
"""

from __future__ import annotations

import struct

_MOV64_R0_0 = bytes.fromhex("b700000000000000")
_EXIT = bytes.fromhex("9500000000000000")
_EM_BPF, _ET_DYN = 247, 3


def noop_program_elf() -> bytes:
    """The ELF bytes of the no-op program."""
    text = _MOV64_R0_0 + _EXIT
    names = b"\0.text\0.shstrtab\0"
    header_size, program_header_size, section_header_size = 64, 56, 64
    text_offset = header_size + program_header_size
    names_offset = text_offset + len(text)
    sections_offset = (names_offset + len(names) + 7) // 8 * 8
    header = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8) + struct.pack(
        "<HHIQQQIHHHHHH", _ET_DYN, _EM_BPF, 1, text_offset, header_size, sections_offset, 0,
        header_size, program_header_size, 1, section_header_size, 3, 2)
    load_segment = struct.pack("<IIQQQQQQ", 1, 5, text_offset, text_offset, text_offset, len(text), len(text), 0x1000)
    body = header + load_segment + text + names
    body += bytes(sections_offset - len(body))
    null_section = bytes(section_header_size)
    text_section = struct.pack("<IIQQQQIIQQ", 1, 1, 6, text_offset, text_offset, len(text), 0, 0, 8, 0)
    names_section = struct.pack("<IIQQQQIIQQ", 7, 3, 0, 0, names_offset, len(names), 0, 0, 1, 0)
    return body + null_section + text_section + names_section
