"""The docgen command: generate, check, schema. Messages and help are in Chinese.

argparse rather than typer/click: every user-visible string argparse prints goes through one
gettext hook, so the whole interface — errors included — can be Chinese (see cli_zh.py).
Exit codes: 0 done, 1 input problems (located messages), 2 usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__, cli_zh
from .errors import DocgenError, Problem, display_path

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
    from . import pdf
    from .outputs import LABELS, OUTPUTS

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
        choices=list(OUTPUTS),
        metavar="种类",
        help=f"只生成其中几种：{kinds}",
    )
    variants = "、".join(f"{k}（{v}）" for k, v in pdf.VARIANTS.items())
    gen.add_argument(
        "--pdf-variant",
        choices=list(pdf.VARIANTS),
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
        "--printer", metavar="打印机名", help="套打用的打印机校准（config/printers/打印机名.yaml）"
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
    gen.set_defaults(handler=_generate)

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
        "--printer", metavar="打印机名", help="按这台打印机的校准生成，用来核对校准结果"
    )
    cal.add_argument(
        "-o",
        "--out",
        type=Path,
        metavar="文件",
        default=Path("out") / "calibration.pdf",
        help="输出的 PDF（默认 out/calibration.pdf）",
    )
    cal.set_defaults(handler=_calibrate)

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


def _edition_path(text: str) -> Path:
    """A folder stands for the edition.yaml in it: offices think of an edition as its folder."""
    path = Path(text)
    return path / "edition.yaml" if (path / "edition.yaml").is_file() else path


def _out_folder(text: str) -> Path:
    """-o naming a file, a folder below a file or a mount point is a usage error (exit 2)."""
    from . import outdir

    path = Path(text)
    found = outdir.problem(path.absolute())
    if found is not None:
        raise argparse.ArgumentTypeError(str(found))
    return path


def _generate(args: argparse.Namespace) -> int:
    from . import generate, pdf
    from .artifacts import Options

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
    for kept in written.kept:
        _print_problem(kept)
    if warnings:
        err.print(
            f"[yellow]另有 {len(warnings)} 条排版提示（不影响生成），"
            f"运行 docgen check {escape(str(args.edition))} 查看。[/]"
        )
    return 0


def _summary(written: object) -> None:
    from .outputs import LABELS
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
    for problem in warnings:
        _print_problem(problem)
    note = f"，{len(warnings)} 条排版提示" if warnings else ""
    err.print(f"[green]检查通过：没有错误{note}。[/]")
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from . import calibrate, config, writer

    page = config.load_certificate_defaults().page
    target = writer.write_file(args.out, calibrate.sheet(config.ROOT, page, args.printer))
    out.print(
        f"已生成校准页 {escape(display_path(target))}：按“实际大小”打印后，按页面上的步骤量取并填写。"
    )
    return 0


def _schema(args: argparse.Namespace) -> int:
    from . import schema

    print(json.dumps(schema.json_schema(args.of), ensure_ascii=False, indent=2))
    return 0


def _print_problems(exc: DocgenError) -> None:
    if not exc.problems:
        err.print(f"[red]错误：{escape(exc.text)}[/]")
        return
    for problem in exc.problems:
        _print_problem(problem)
    errors = sum(1 for p in exc.problems if p.is_error)
    warnings = len(exc.problems) - errors
    note = f"，另有 {warnings} 条提示" if warnings else ""
    err.print(f"[red]发现 {errors} 个错误{note}；没有生成任何文件。[/]")


def _print_problem(problem: Problem) -> None:
    colour = "red" if problem.is_error else "yellow"
    err.print(f"[{colour}]{escape(str(problem))}[/]", soft_wrap=True)


if __name__ == "__main__":
    sys.exit(main())
