"""The exceptions of qianfen-xl: raised only when a command cannot run at all.

Anything wrong *inside a register* is a finding (see ``findings``), never an exception.
"""

from __future__ import annotations

import errno


class QianfenError(Exception):
    """Base of every error that stops a qianfen-xl command."""


class StandardsError(QianfenError, ValueError):
    """The standards file is broken; the message names the key."""


class PeriodError(QianfenError, ValueError):
    """A period label such as ``2026-W47`` or ``2026-11`` cannot be read."""


class OutputError(QianfenError, OSError):
    """An output file or folder cannot be written."""


_OS_ERRORS = {
    errno.ENOENT: "找不到该文件或文件夹",
    errno.EACCES: "没有权限（请检查文件或文件夹的访问权限）",
    errno.EPERM: "操作不被允许（请检查文件或文件夹的访问权限）",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.ENOSPC: "磁盘空间已满",
    errno.EROFS: "位置只读，无法写入",
    errno.EEXIST: "已经存在",
    errno.EBUSY: "文件正被占用（请关闭打开它的程序后再试）",
    errno.ENAMETOOLONG: "文件名过长",
    errno.ELOOP: "快捷方式或链接指向自身，无法打开",
    errno.EMFILE: "同时打开的文件过多",
    errno.EIO: "读写设备时出错（请检查磁盘或网络位置）",
}


def describe_os_error(exc: OSError, *, with_path: bool = True) -> str:
    """What went wrong with a file, in Chinese, for a clerk (never the English strerror);
    ``with_path=False`` where the message names the file already.

    >>> describe_os_error(FileNotFoundError(errno.ENOENT, "No such file", "登记表.xlsx"))
    '找不到该文件或文件夹（登记表.xlsx）'
    """
    text = _OS_ERRORS.get(exc.errno or 0, f"系统错误（{type(exc).__name__}）")
    return f"{text}（{exc.filename}）" if exc.filename and with_path else text
