import hashlib
import os

from wijkstudie.core import hashing


def test_a_file_read_in_blocks_has_the_hash_of_its_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(hashing, "BLOCK", 7)  # several blocks, the last one short
    path = tmp_path / "data.bin"
    content = bytes(range(256)) * 3
    path.write_bytes(content)
    assert hashing.file_sha256(path) == hashlib.sha256(content).hexdigest()


def test_the_cached_hash_follows_a_new_version_of_the_file(tmp_path):
    path = tmp_path / "module.py"
    path.write_text("x = 1\n")
    first = hashing.cached_file_sha256(path)
    assert first == hashlib.sha256(b"x = 1\n").hexdigest()
    path.write_text("x = 22\n")  # another size: another version
    os.utime(path, ns=(1, 1))
    assert hashing.cached_file_sha256(str(path)) == hashlib.sha256(b"x = 22\n").hexdigest() != first


def test_the_cached_hash_reads_one_version_once(tmp_path, monkeypatch):
    path = tmp_path / "module.py"
    path.write_text("y = 3\n")
    reads = []
    real = hashing.file_sha256
    monkeypatch.setattr(hashing, "file_sha256", lambda p: reads.append(p) or real(p))
    hashing.cached_file_sha256(path)
    hashing.cached_file_sha256(path)
    assert len(reads) == 1
