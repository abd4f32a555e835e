"""The one exception type wijkstudie raises for bad data, bad names and failed downloads."""


class WijkstudieError(Exception):
    """A data problem the user can act on.

    The message is one line that names the file (or dataset) and the problem, e.g.
    ``kwb-2023.xlsx: not a valid Excel workbook (truncated or corrupt?)``. The command line prints it
    without a traceback and exits with status 1.
    """


def os_reason(exc: BaseException) -> str:
    """What an error on a path means, in words: a file where a folder should be, a symlink loop, no
    permission, a read-only or full disk."""
    import errno

    if isinstance(exc, RuntimeError):  # Python < 3.13: pathlib's "Symlink loop"
        return "a symlink loop"
    return {
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.ELOOP: "a symlink loop",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "a read-only file system",
        errno.ENOSPC: "no space left on the disk",
        errno.EEXIST: "a file is in the way",
    }.get(getattr(exc, "errno", None), getattr(exc, "strerror", None) or type(exc).__name__)
