"""The docgen command: generate, check, calibrate, init, schema. Messages and help are in Chinese.

argparse rather than typer/click: every user-visible string argparse prints goes through one
gettext hook, so the whole interface — errors included — can be Chinese (see cli_zh.py).
Exit codes: 0 done, 1 input problems (located messages), 2 usage errors. Each command imports
what it needs when it runs: ``docgen --help`` loads no renderer (no WeasyPrint).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__, cli_zh
from .errors import MAX_PROBLEMS, DocgenError, Problem, display_path, not_listed

if TYPE_CHECKING:
    from .home import Home

err = Console(stderr=True, highlight=False, emoji=False)
out = Console(highlight=False, emoji=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except DocgenError as exc:
        _print_problems(exc)
        return 1
    except OSError as exc:  # a full disk outside the writer (a temporary file) is no bug either
        from .disk import DISK_FULL
        from .writer import disk_full

        if exc.errno not in DISK_FULL:
            raise
        _print_problems(disk_full(Path(os.fsdecode(exc.filename)).parent if exc.filename else None))
        return 1
    except KeyboardInterrupt:
        err.print("[yellow]已中断；之前生成的文件保持不变。[/]")
        return 130


def build_parser() -> argparse.ArgumentParser:
    cli_zh.install()
    from .artifacts import LABELS, PDF_VARIANTS

    parser = argparse.ArgumentParser(
        prog="docgen",
        description="把一届评选的结果（一个 edition.yaml 文件）生成为会议报告、新闻稿和荣誉证书。",
        epilog="例：docgen generate editions/quanyibei-21/edition.yaml",
    )
    parser.add_argument(
        "--version", action="version", version=f"docgen {__version__}", help="显示版本号并退出"
    )
    commands = parser.add_subparsers(title="命令", metavar="命令", required=True)

    gen = commands.add_parser(
        "generate", help="生成全部文件", description="检查并生成一届评选的全部文件。"
    )
    gen.add_argument("edition", type=_edition_path, metavar="EDITION.yaml", help=EDITION_HELP)
    gen.add_argument(
        "-o", "--out", type=_out_folder, metavar="目录", help="输出目录（默认 out/<本届文件夹名>/）"
    )
    kinds = "、".join(f"{k}（{v}）" for k, v in LABELS.items())
    gen.add_argument(
        "--only",
        nargs="+",
        action="extend",
        choices=list(LABELS),
        metavar="种类",
        help=f"只生成其中几种：{kinds}",
    )
    variants = "、".join(f"{k}（{v}）" for k, v in PDF_VARIANTS.items())
    gen.add_argument(
        "--pdf-variant",
        choices=list(PDF_VARIANTS),
        metavar="变体",
        help=f"新闻稿 PDF 的变体：{variants}",
    )
    gen.add_argument(
        "--stock",
        choices=["blank", "preprinted"],
        metavar="纸张",
        help="证书纸：blank（白纸，全部印出）或 preprinted（预印证书纸，只印文字）",
    )
    gen.add_argument(
        "--printer",
        type=_printer_name,
        metavar="打印机名",
        help="套打用的打印机校准（config/printers/打印机名.yaml）",
    )
    gen.add_argument(
        "--winner",
        metavar="证书编号",
        help="只重新生成这一张证书（如 QYB-2025-21-J01），其他文件不动",
    )
    gen.add_argument(
        "--force",
        action="store_true",
        help="上次生成的文件被修改过或正在 Word 中打开时，也照样覆盖（修改会丢失）",
    )
    gen.set_defaults(handler=_generate, usage_error=gen.error)

    chk = commands.add_parser(
        "check", help="只检查，不生成", description="做 generate 的全部检查，不写任何文件。"
    )
    chk.add_argument("edition", type=_edition_path, metavar="EDITION.yaml", help=EDITION_HELP)
    chk.set_defaults(handler=_check)

    cal = commands.add_parser(
        "calibrate",
        help="打印套打用的打印机校准页",
        description="生成打印机校准页（标尺和十字），用于预印证书纸套打。",
    )
    cal.add_argument(
        "--printer",
        type=_printer_name,
        metavar="打印机名",
        help="按这台打印机的校准生成，用来核对校准结果",
    )
    cal.add_argument(
        "-o",
        "--out",
        type=_calibration_out,
        metavar="文件",
        default=Path("out") / CALIBRATION,
        help=f"输出的 PDF，或放入的文件夹（默认 out/{CALIBRATION}）",
    )
    cal.set_defaults(handler=_calibrate, usage_error=cal.error)

    ini = commands.add_parser(
        "init",
        help="新建办公室文件夹（设置、模板和示例）",
        description="新建本办公室自己的文件夹：docgen.yaml、config/（设置和图片）、templates/（可修改的模板）、"
        "schema/ 和 editions/ 中的示例。以后升级 docgen 不会改动它。",
        epilog="例：docgen init 我的办公室；升级 docgen 后：docgen init --compare 我的办公室",
    )
    ini.add_argument(
        "folder",
        nargs="?",
        type=Path,
        metavar="文件夹",
        help="新的或空的文件夹（--compare 时可不写）",
    )
    ini.add_argument(
        "--name", metavar="名称", help="办公室名称，写入 docgen.yaml（默认用文件夹名）"
    )
    ini.add_argument(
        "--compare",
        action="store_true",
        help="不新建：列出自复制以来 docgen 自带的默认文件有哪些变化（不改动任何文件）",
    )
    ini.set_defaults(handler=_init, usage_error=ini.error)

    sch = commands.add_parser(
        "schema",
        help="打印 edition.yaml 的 JSON Schema",
        description="打印 JSON Schema，供编辑器（如 VS Code）自动补全和检查。",
    )
    sch.add_argument(
        "--of",
        choices=["edition", "branding", "certificate", "printer"],
        default="edition",
        help="哪个文件的格式（默认 edition）",
    )
    sch.set_defaults(handler=_schema)
    return parser


EDITION_HELP = "本届的 edition.yaml，或它所在的文件夹（如 editions/quanyibei-21）"
CALIBRATION = "calibration.pdf"


def _edition_path(text: str) -> Path:
    """A folder stands for the edition.yaml in it: offices think of an edition as its folder.
    A path too long to ask the disk about is left for edition.load to refuse, with a message."""

    path = Path(text)
    inside = path / "edition.yaml"
    return inside if os.path.lexists(inside) else path  # lexists: never raises, never opens


BESIDE = 24
"""Bytes the writer's hidden files next to an output add to its name (disk.beside:
``.NAME.staging-PID``): an output name must leave room for them."""


def _out_path(text: str) -> Path:
    """An output path the disk can be asked about; otherwise a usage error (exit 2), because
    every question about a 300-byte name raises ENAMETOOLONG."""
    from .userfiles import NAME_MAX, name_problem

    path = Path(text)
    if why := name_problem(path.absolute()):
        raise argparse.ArgumentTypeError(why)
    if (size := len(os.fsencode(path.name))) > NAME_MAX - BESIDE:
        limit = NAME_MAX - BESIDE
        raise argparse.ArgumentTypeError(f"输出的名字有 {size} 字节，超过上限 {limit} 字节，请改短")
    return path


def _calibration_out(text: str) -> Path:
    """``-o out`` or ``-o out/`` names a folder: the sheet goes into it as calibration.pdf,
    as staff expect from a folder (before, replacing the folder by the file failed)."""
    path = _out_path(text)
    folder = text.endswith(("/", os.sep)) or path.is_dir()
    return _out_path(str(path / CALIBRATION)) if folder else path


def _printer_name(text: str) -> str:
    """A printer is the name of a profile in config/printers/ (without .yaml), never a path:
    anything else is a usage error that names the option. Whether that profile is there is asked
    once the command knows its office folder (_printer_in)."""
    from . import stock

    if why := stock.printer_name_problem(text):
        raise argparse.ArgumentTypeError(why)
    return text


def _printer_in(args: argparse.Namespace, home: Home) -> None:
    """--printer must name a readable profile of ``home`` (the office's or a packaged one): a
    usage error naming the option otherwise, as for a bad name."""
    from . import stock

    if args.printer and (why := stock.printer_problem(home, args.printer)):
        args.usage_error(f"参数 --printer：{why}")


def _out_folder(text: str) -> Path:
    """-o naming a file, a folder below a file or a mount point is a usage error (exit 2) too."""
    from . import outdir

    path = _out_path(text)
    found = outdir.problem(path.absolute())
    if found is not None:
        raise argparse.ArgumentTypeError(str(found))
    return path


def _generate(args: argparse.Namespace) -> int:
    from . import edition, generate, pdf
    from .artifacts import Options

    if args.printer:
        _printer_in(args, edition.home_of(args.edition))

    if not pdf.has_harfbuzz_subset():
        err.print(
            "[yellow]提示：未安装 libharfbuzz-subset0，PDF 生成会明显变慢。"
            "安装：sudo apt-get install libharfbuzz-subset0[/]"
        )
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        tasks: dict[str, object] = {}

        def progress(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(f"正在生成{label}", total=total)
            bar.update(tasks[label], completed=done)  # type: ignore[arg-type]

        options = Options(
            pdf_variant=args.pdf_variant,
            winner=args.winner,
            stock=args.stock,
            printer=args.printer,
            force=args.force,
        )
        written, warnings = generate.generate(args.edition, args.out, args.only, progress, options)
    _summary(written)
    _print_list(written.kept, 0)
    if warnings:
        err.print(
            f"[yellow]另有 {len(warnings)} 条排版提示（不影响生成），"
            f"运行 docgen check {escape(str(args.edition))} 查看。[/]"
        )
    return 0


def _summary(written: object) -> None:
    from .artifacts import LABELS
    from .writer import Written

    assert isinstance(written, Written)  # noqa: S101 - narrows the type for mypy
    table = Table(title=f"已生成到 {escape(display_path(written.folder))}/", title_justify="left")
    table.add_column("内容")
    table.add_column("文件数", justify="right")
    table.add_column("大小", justify="right")
    for output, (count, size) in written.by_output().items():
        table.add_row(LABELS.get(output, output), str(count), _size(size))
    out.print(table)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _check(args: argparse.Namespace) -> int:
    from . import generate

    _, warnings = generate.check(args.edition)
    _print_list(warnings[:MAX_PROBLEMS], len(warnings[MAX_PROBLEMS:]))
    note = f"，{len(warnings)} 条排版提示" if warnings else ""
    err.print(f"[green]检查通过：没有错误{note}。[/]")
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from . import calibrate, config, writer
    from .home import find_home

    home = find_home()
    _printer_in(args, home)
    writer.check_writable(args.out)
    page = config.load_certificate_defaults(home).page
    target = writer.write_file(args.out, calibrate.sheet(home, page, args.printer))
    out.print(
        f"已生成校准页 {escape(display_path(target))}：按“实际大小”打印后，按页面上的步骤量取并填写。"
    )
    return 0


def _init(args: argparse.Namespace) -> int:
    from . import home, office

    if args.compare:
        folder = office.office_folder(args.folder)
        for line in office.report(*office.compare(folder)):
            out.print(line, markup=False, soft_wrap=True)
        return 0
    if args.folder is None:
        args.usage_error("缺少参数：要新建的文件夹")
    folder = office.init(args.folder, args.name)
    shown = escape(display_path(folder))
    out.print(
        f"已新建办公室文件夹 {shown}：设置在 config/，模板在 templates/，示例在 {home.SAMPLE}/。\n"
        f"试一试：cd {shown}，然后运行 docgen generate {home.SAMPLE}"
    )
    return 0


def _schema(args: argparse.Namespace) -> int:
    from . import schema

    print(schema.text(args.of), end="")
    return 0


def _print_problems(exc: DocgenError) -> None:
    if not exc.problems:
        err.print(f"[red]错误：{escape(exc.text)}[/]")
        return
    _print_list(exc.problems, exc.omitted)
    note = f"，另有 {exc.warnings} 条提示" if exc.warnings else ""
    err.print(f"[red]发现 {exc.errors} 个错误{note}；没有生成任何文件。[/]")


def _print_list(problems: Sequence[Problem], omitted: int) -> None:
    """At most MAX_PROBLEMS problems (the callers cut the list), then how many were left out."""
    for problem in problems:
        colour = "red" if problem.is_error else "yellow"
        err.print(f"[{colour}]{escape(str(problem))}[/]", soft_wrap=True)
    if omitted:
        err.print(f"[yellow]{not_listed(omitted)}[/]")


if __name__ == "__main__":
    sys.exit(main())
