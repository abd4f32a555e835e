"""Entries of save_figure's caches: JSON and bytes, served only whole and for what they name, pruned to the newest."""

import os
import threading

from wijkstudie.plotting.kept_entries import decode_entry, encode_entry, identity_key, read_entry, write_entry


def test_an_entry_holds_json_and_the_bytes_and_checks_what_it_names():
    identity = {"format": "test 1", "glyphs": [1, 2]}
    content = encode_entry(identity, b"font bytes", {"glyph_map": [[5, 1], [9, 2]]})
    header, _, data = content.partition(b"\n")
    assert data == b"font bytes" and header.startswith(b"{")
    assert decode_entry(content, identity) == (b"font bytes", {"glyph_map": [[5, 1], [9, 2]]})
    assert decode_entry(content, {**identity, "glyphs": [1, 2, 3]}) is None  # made for another identity
    assert decode_entry(content[:-1], identity) is None  # cut short
    assert decode_entry(b"garbage", identity) is None
    assert identity_key(identity) == identity_key(dict(reversed(identity.items())))  # the order of keys: no matter


def test_entries_are_read_back_and_pruned_to_the_most_recently_used(tmp_path):
    folder = tmp_path / "kept"
    identities = [{"n": i} for i in range(5)]
    for i, identity in enumerate(identities):
        write_entry(folder, identity_key(identity), identity, b"x" * i, None, ".entry", keep=10)
        os.utime(folder / f"{identity_key(identity)}.entry", ns=(i * 10**9, i * 10**9))
    assert read_entry(folder, identity_key(identities[0]), identities[0], ".entry") == (b"", {})  # used: now newest
    extra = {"n": 5}
    write_entry(folder, identity_key(extra), extra, b"new", None, ".entry", keep=3)
    kept = {p.name for p in folder.glob("*.entry")}
    assert kept == {f"{identity_key(i)}.entry" for i in (identities[0], identities[4], extra)}
    assert read_entry(folder, identity_key(identities[1]), identities[1], ".entry") is None  # pruned
    assert read_entry(None, "k", {}, ".entry") is None
    write_entry(None, "k", {}, b"", None, ".entry", keep=1)  # no folder: nothing written, no error


def test_an_entry_that_is_not_a_regular_file_reads_as_none_without_waiting(tmp_path):
    # a FIFO would block the open for ever, /dev/zero would be read until memory runs out: never opened for reading;
    # a symlink is not followed (an entry is a file the cache wrote itself)
    identity = {"n": 1}
    key = identity_key(identity)
    elsewhere = tmp_path / "elsewhere"
    write_entry(elsewhere, key, identity, b"bytes", None, ".entry", keep=10)
    folder = tmp_path / "kept"
    folder.mkdir()
    os.mkfifo(folder / f"{key}.entry")
    outcome = []
    reader = threading.Thread(target=lambda: outcome.append(read_entry(folder, key, identity, ".entry")), daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert outcome == [None]
    (folder / f"{key}.entry").unlink()
    (folder / f"{key}.entry").symlink_to(elsewhere / f"{key}.entry")
    assert read_entry(elsewhere, key, identity, ".entry") == (b"bytes", {})
    assert read_entry(folder, key, identity, ".entry") is None
    (folder / f"{key}.entry").unlink()
    (folder / f"{key}.entry").mkdir()
    assert read_entry(folder, key, identity, ".entry") is None


def test_temporary_files_a_killed_save_left_are_removed_once_old(tmp_path):
    folder = tmp_path / "kept"
    folder.mkdir()
    old, young = folder / ".abc.subset.x1.tmp", folder / ".def.subset.x2.tmp"
    for path in (old, young):
        path.write_bytes(b"half an entry")
    os.utime(old, ns=(0, 0))  # left long ago by a killed process; the young one may be another save's, running
    write_entry(folder, "k", {"n": 1}, b"data", None, ".entry", keep=10)
    assert not old.exists() and young.exists() and (folder / "k.entry").is_file()
