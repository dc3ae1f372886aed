"""`aimak template` and `aimak import`: files written, summaries printed, exit codes."""

from __future__ import annotations

import argparse
import io

import openpyxl
import pytest
from sqlalchemy.orm import Session

from dashboard import cli
from dashboard.cli.imports import ProgressBar, add_commands
from queries.engine import make_engine, sqlite_url
from queries.imports.tables import TABLES
from queries.models import Role, User
from tests.test_import_workbooks import REALISTIC_COUNTS, book, realistic, with_units


@pytest.fixture
def aimak(tmp_path, monkeypatch):
    """`aimak …` as the user runs it (main: one-line errors, exit codes), over a database
    holding the pilot's units; returns main."""
    path = tmp_path / "aimak.sqlite"
    engine = with_units(make_engine(sqlite_url(path)))
    with Session(engine) as session, session.begin():
        session.add(User(username="aigul", display_name="Aigul", role=Role.MANAGER))
    engine.dispose()
    monkeypatch.setenv("AIMAK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("AIMAK_LANG", raising=False)
    monkeypatch.setenv("DATABASE_URL", sqlite_url(path))
    original = cli.parser

    def parser():
        root = original()
        commands = next(a for a in root._actions if isinstance(a, argparse._SubParsersAction))
        if "import" not in commands.choices:  # until cli.py registers them itself
            add_commands(commands)
        return root

    monkeypatch.setattr(cli, "parser", parser)
    return cli.main


def test_template_xlsx_and_csv(aimak, tmp_path, capsys):
    target = tmp_path / "out" / "template.xlsx"
    assert aimak(["template", str(target), "--lang", "ky"]) == 0
    workbook = openpyxl.load_workbook(target)
    assert workbook.sheetnames == ["Файл жөнүндө", *(t.ky for t in TABLES)]
    assert "Template written" in capsys.readouterr().out
    directory = tmp_path / "csv"
    assert aimak(["template", str(directory), "--lang", "ru"]) == 0
    assert sorted(p.name for p in directory.iterdir()) == sorted(f"{t.key}.csv" for t in TABLES)
    assert (directory / "projects.csv").read_bytes().decode("utf-8-sig").startswith("Код проекта")
    with pytest.raises(SystemExit) as usage:  # argparse: not a language
        aimak(["template", str(target), "--lang", "fr"])
    assert usage.value.code == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err


def test_import_dry_run_then_import_then_again(aimak, tmp_path, capsys):
    report = tmp_path / "report.xlsx"
    report.write_bytes(book(realistic()))
    assert aimak(["import", str(report), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Dry run: nothing was written." in out
    assert f"{'Projects':<22}{3:>9}{0:>9}{0:>11}{0:>10}" in out

    assert aimak(["import", str(report), "--user", "aigul"]) == 0
    out = capsys.readouterr().out
    total = sum(REALISTIC_COUNTS.values()) + 1 + 2 + 2  # programme, phases, NGOs
    assert f"Imported (batch 1): {total} created, 0 updated, 0 unchanged, 0 rejected." in out

    assert aimak(["import", str(report)]) == 0
    out = capsys.readouterr().out
    assert f"0 created, 0 updated, {sum(REALISTIC_COUNTS.values())} unchanged" in out

    assert aimak(["import", str(report), "--user", "someone"]) == 1
    assert "no active account «someone»" in capsys.readouterr().err


def test_rejected_rows_fail_unless_accept_valid(aimak, tmp_path, capsys):
    data = realistic()
    data["budget_lines"][0]["amount"] = "1,234"
    report = tmp_path / "report.xlsx"
    report.write_bytes(book(data))
    for arguments in (["--dry-run"], []):
        assert aimak(["import", str(report), *arguments]) == 1
        captured = capsys.readouterr()
        assert (
            "sheet «Budget lines», row 2, column «Amount, som», cell C2: E-NUMBER-AMBIGUOUS"
            in captured.out
        )
        assert captured.err.startswith("aimak: error: 1 row rejected (1 problem).")
        assert captured.err.count("\n") == 1
    assert aimak(["import", str(report), "--dry-run", "--accept-valid"]) == 0
    assert aimak(["import", str(report), "--accept-valid"]) == 0
    assert "1 rejected." in capsys.readouterr().out


def test_rejections_in_the_chosen_language(aimak, tmp_path, capsys, monkeypatch):
    data = realistic()
    data["budget_lines"][0]["amount"] = "1,234"
    report = tmp_path / "report.xlsx"
    report.write_bytes(book(data))
    assert aimak(["import", str(report), "--dry-run", "--lang", "ru"]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert (
        "  лист «Budget lines», строка 2, столбец «Amount, som», ячейка C2: E-NUMBER-AMBIGUOUS: "
        "«1,234» можно прочесть двояко: отделяйте тысячи пробелами (1 234), а дробную часть — "
        "одной запятой или одной точкой (1,5 или 1.234)."
    ) in lines
    assert "Отклонено (1 проблема, 1 строка):" in lines
    assert "Пробная проверка: ничего не записано." in lines
    assert captured.err == "aimak: error: Отклонена 1 строка (1 проблема). Ничего не записано.\n"
    header = next(
        i
        for i, line in enumerate(lines)
        if line.split() == ["Таблица", "Создано", "Обновлено", "Без", "изменений", "Отклонено"]
    )
    table = lines[header : header + 1 + len(REALISTIC_COUNTS)]
    assert any(line.split() == ["Проекты", "3", "0", "0", "0"] for line in table)
    assert {len(line) for line in table} == {len(lines[header])}  # the columns line up

    monkeypatch.setenv("AIMAK_LANG", "ky")  # the default language, unless --lang says otherwise
    assert aimak(["import", str(report), "--dry-run"]) == 1
    captured = capsys.readouterr()
    assert (
        "  барак «Budget lines», сап 2, тилке «Amount, som», уяча C2: E-NUMBER-AMBIGUOUS: "
        "«1,234» санын эки түрдүү окууга болот"
    ) in captured.out
    assert captured.err.startswith("aimak: error: 1 сап четке кагылды (1 көйгөй).")
    assert aimak(["import", str(report), "--dry-run", "--lang", "en"]) == 1
    assert "  sheet «Budget lines», row 2, column «Amount, som»" in capsys.readouterr().out

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    assert aimak(["import", str(broken)]) == 1
    captured = capsys.readouterr()
    assert "  бүт файл: E-FILE-FORMAT: Файл XLSX китеби да, CSV файлы да эмес (" in captured.out
    assert captured.err.startswith("aimak: error: Файл XLSX китеби да, CSV файлы да эмес (")
    assert captured.err.endswith("). Эч нерсе жазылган жок.\n")


def test_unreadable_files_and_demo_data(aimak, tmp_path, capsys):
    assert aimak(["import", str(tmp_path / "missing.xlsx")]) == 1
    assert "no such file" in capsys.readouterr().err
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    assert aimak(["import", str(broken)]) == 1
    assert "E-FILE-FORMAT" in capsys.readouterr().out
    assert aimak(["demo"]) == 0
    capsys.readouterr()
    report = tmp_path / "report.xlsx"
    report.write_bytes(book(realistic()))
    assert aimak(["import", str(report)]) == 1
    assert "aimak demo --remove" in capsys.readouterr().err


def test_progress_bar():
    plain = io.StringIO()
    bar = ProgressBar(plain)
    bar("reading", 0, 1)
    bar("reading", 1, 1)
    bar("validating projects", 3, 13)
    assert plain.getvalue().count("\n") == 2
    assert "validating projects" in plain.getvalue()

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    bar = ProgressBar(terminal, width=10)
    bar("writing", 5, 10)
    bar.close()
    assert terminal.getvalue() == f"\r[#####-----]  50% {'writing':<40}\n"
