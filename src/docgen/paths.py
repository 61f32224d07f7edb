"""Paths the office writes in its YAML files: judged on their text first, then confined to the
folder they must stay in (the edition folder for photos, config/ for images and printers)."""

from __future__ import annotations

import errno
import re
from pathlib import Path, PurePosixPath, PureWindowsPath

from .errors import quote
from .userfiles import name_problem

URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]+:")
# Windows opens these as devices, in any folder and with any extension (CON.jpg is the console).
DEVICE = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.[^.]*)?$", re.IGNORECASE)

PHOTO = {
    "url": "照片只能是本届文件夹中的文件，不能是网址",
    "absolute": "请写相对于本届文件夹的路径（如 photos/01.jpg），不能写绝对路径",
    "dotdot": "路径不能包含“..”：照片必须放在本届文件夹之内",
    "outside": "这个文件（或它的链接目标）在本届文件夹之外，不能使用",
}


def in_config(what: str, example: str) -> dict[str, str]:
    """The messages for an image ``what`` (印章图片, 标志图片…) that must stay inside config/."""
    return {
        "url": f"{what}只能是 config 文件夹中的文件，不能是网址",
        "absolute": f"请写相对于 config 文件夹的路径（如 {example}），不能写绝对路径",
        "dotdot": f"路径不能包含“..”：{what}必须放在 config 文件夹之内",
        "outside": "这个文件（或它的链接目标）在 config 文件夹之外，不能使用",
    }


def problem(folder: Path, rel: str, messages: dict[str, str]) -> str | None:
    """Why ``rel`` may lead outside ``folder`` (judged on the text first: nothing is opened)."""
    if URL.match(rel) and not PureWindowsPath(rel).drive:
        return messages["url"]
    if (
        PureWindowsPath(rel).is_absolute()
        or PurePosixPath(rel).is_absolute()
        or PureWindowsPath(rel).drive
    ):
        return messages["absolute"]
    parts = re.split(r"[\\/]", rel)
    if ".." in parts:
        return messages["dotdot"]
    if ":" in rel:
        return "文件名中不能有冒号“:”"
    if device := next((part for part in parts if DEVICE.match(part.rstrip(" ."))), None):
        return f"“{quote(device)}”是 Windows 保留的设备名，不能用作文件名，请改名"
    if why := name_problem(Path(rel)):
        return why
    return messages["outside"] if not inside(folder, folder / rel) else None


def inside(folder: Path, target: Path) -> bool:
    """Whether ``target``, its symlinks followed as far as they exist, stays inside ``folder``.
    Judged whether or not the target exists, so the answer tells nothing about files outside."""
    try:
        return target.resolve().is_relative_to(folder.resolve())
    except (OSError, ValueError, RuntimeError):  # a loop or an unusable name: not inside
        return False


def unreachable(folder: Path, rel: str) -> str | None:
    """Why the file ``rel`` in ``folder`` cannot even be looked at (a folder on the way that
    cannot be entered), naming that folder; None when it can, or when it is simply missing."""
    try:
        (folder / rel).stat()
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM):
            where = Path(rel).parent.as_posix()
            shown = f"文件夹 {where}" if where != "." else f"文件夹 {folder}"
            return f"没有权限读取{shown}：请检查这个文件夹的权限（或共享设置），让运行 docgen 的用户可以读取"
    except ValueError:
        return None
    return None
