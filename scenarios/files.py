"""Reading the small TOML files users write (scenarios, experiments) so that no path can hang or exhaust memory.

Only regular files are read, and only up to `MAX_FILE_BYTES`: a named pipe would block forever and `/dev/zero`
never ends, so both are refused from their file type before anything is read. Every problem is raised as the
caller's error class with a message that names the file, what is wrong and what to do.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tomllib
from pathlib import Path

#: The largest scenario or experiment file read. A fully written scenario is about 10 KB and an experiment file
#: with long lists of values a few hundred; anything bigger is the wrong file.
MAX_FILE_BYTES = 1 << 20

#: The most parts a dotted key may have (`a.b.c` has 3). The parser's time grows with the square of a dotted key's
#: length (a 20,000-part key takes seconds, one of a megabyte most of an hour); a scenario's longest has 3.
MAX_DOTTED_PARTS = 100

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def size_text(n: int) -> str:
    """A byte count for messages: '1 MiB', '3.2 MiB', '512 bytes'."""
    if n < 1024:
        return f"{n} bytes"
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n} bytes"


def read_text(path: str | Path, label: str, kind: str, error: type[Exception]) -> str:
    """The UTF-8 text of the regular file `path` (at most `MAX_FILE_BYTES`); `kind` is "scenario" or
    "experiment" for the fix in messages, and every problem is raised as `error(message)`."""
    a_kind = f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"
    fix = f"give the path of {a_kind} .toml file"
    try:
        info = os.stat(path)  # follows symbolic links, as the open below does
    except OSError as exc:
        raise error(_os_problem(exc, label, fix)) from None
    _check_kind(info, label, fix, error)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise error(_os_problem(exc, label, fix)) from None
    with os.fdopen(fd, "rb") as handle:
        _check_kind(os.fstat(fd), label, fix, error)  # the file may have been replaced since the stat above
        try:
            raw = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise error(_os_problem(exc, label, fix)) from None
    if len(raw) > MAX_FILE_BYTES:
        raise error(f"{label}: is larger than {size_text(MAX_FILE_BYTES)}, the most {a_kind} file may be "
                    f"({a_kind} file is a few kilobytes); check that this is the right file.")
    return decode(raw, label, error)


def decode(raw: bytes, label: str, error: type[Exception]) -> str:
    """`raw` as UTF-8 text; `error` names a byte-order mark or the first byte that is not UTF-8."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raise error(f"{label}: starts with a byte-order mark (BOM), which TOML does not allow; save the file "
                         "as UTF-8 without BOM (in Notepad: 'UTF-8', not 'UTF-8 with BOM').")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{label}: is not UTF-8 text (byte {exc.start}). Save the file as UTF-8.") from None


def too_deep(label: str) -> str:
    """The message for a file whose arrays or tables nest so deeply that the TOML parser gives up (it recurses
    once per level, so a 100,000-deep array ends in RecursionError)."""
    return (f"{label}: arrays or tables nest too deeply to read (hundreds of levels); a scenario or experiment "
            "file needs only a few (e.g. [[phases]], or a list of values). Check the brackets.")


def parse_toml(text: str) -> dict:
    """`tomllib.loads(text)`, after a linear scan that refuses a dotted key of more than `MAX_DOTTED_PARTS` parts
    the way the parser refuses arrays or tables nested too deeply, with RecursionError (callers turn both into
    `too_deep`'s message). Without it a file of a megabyte, or a visitor's upload, would hold the parser for most
    of an hour."""
    if _longest_dotted_key(text) > MAX_DOTTED_PARTS:
        raise RecursionError("a dotted key of more than MAX_DOTTED_PARTS parts")
    return tomllib.loads(text)


# Strings and comments (skipped whole: dots inside them are not a key's) and the characters that end a dotted key.
_TOKENS = re.compile(r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[.=\[\]{},\n]',
                     re.S)


def _longest_dotted_key(text: str) -> int:
    """An upper bound on the parts of the longest dotted key in `text`: the most dots outside strings and comments
    between two characters that end a key (= [ ] { } , or a new line), plus one. Linear in the text's length."""
    if text.count(".") <= MAX_DOTTED_PARTS:
        return text.count(".") + 1
    longest = run = 0
    for token in _TOKENS.finditer(text):
        t = token.group()
        if t == ".":
            run += 1
            if run > longest:
                longest = run
        elif len(t) == 1:
            run = 0
    return longest + 1


def _check_kind(info: os.stat_result, label: str, fix: str, error: type[Exception]) -> None:
    if stat.S_ISREG(info.st_mode):
        return
    what = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
    raise error(f"{label}: is {what}, not a regular file; {fix}.")


def _os_problem(exc: OSError, label: str, fix: str) -> str:
    if exc.errno == errno.ELOOP:
        return (f"{label}: is a symbolic link loop (following its links leads back to a link already passed); "
                f"{fix}, or point the link at one.")
    if exc.errno == errno.ENOENT:
        return f"{label}: no such file; {fix}."
    if exc.errno == errno.EISDIR:
        return f"{label}: is a folder, not a regular file; {fix}."
    return f"{label}: cannot be read ({exc.strerror}). Check the path and its permissions."
