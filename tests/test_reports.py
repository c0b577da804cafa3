"""The 通报 files as a whole (``data_pipeline.reports`` and ``report --format …``): every
format from one call, the file names, ``--format all`` into a folder, nothing written when
anything fails, and the PDFs through LibreOffice. In CI (``CI=true``, where LibreOffice and
poppler are installed) the PowerPoint and the Word file are rendered once to PNG images
(LibreOffice → PDF → pdftoppm) in ``test-output/rendered/`` so a person can look at them;
without LibreOffice those tests skip locally with the reason."""
from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest

from data_pipeline import meeting, reports
from data_pipeline.__main__ import main
from data_pipeline.campaign.settings import load_settings
from tests.conftest import ROOT, require

AS_OF = dt.date(2026, 11, 27)
RENDERED = ROOT / "test-output" / "rendered"
NAMES = ["会议汇报_20261127.pptx", "通报_20261127.docx", "通报附表_20261127.xlsx"]



def need_libreoffice():
    require(reports.libreoffice() is not None,
            "没有安装LibreOffice（Debian: apt-get install libreoffice-impress libreoffice-writer libreoffice-calc），"
            "跳过PDF导出测试")


def test_file_names():
    assert [reports.file_name(f, AS_OF) for f in reports.FORMATS] == [
        "通报附表_20261127.xlsx", "会议汇报_20261127.pptx", "通报_20261127.docx"]
    assert [reports.file_name(f, AS_OF, pdf=True) for f in reports.FORMATS] == [
        "通报附表_20261127.pdf", "会议汇报_20261127.pdf", "通报_20261127.pdf"]


def test_build_each_format_opens(sample):
    from docx import Document
    from openpyxl import load_workbook
    from pptx import Presentation
    s = load_settings(sample)
    m = meeting.meeting(sample, AS_OF, s)
    deck = Presentation(io.BytesIO(reports.build(sample, "pptx", AS_OF, s)))
    assert len(deck.slides) == len(m.slides)
    assert load_workbook(io.BytesIO(reports.build(sample, "xlsx", AS_OF, s))).sheetnames == [
        "排名", "超期问题", "本周变化", "进度预测"]
    text = "\n".join(p.text for p in Document(io.BytesIO(reports.build(sample, "docx", AS_OF, s))).paragraphs)
    assert "截至2026年11月27日" in text
    with pytest.raises(ValueError, match="不支持的格式“pdf”"):
        reports.build(sample, "pdf", AS_OF, s)
    with pytest.raises(meeting.NoReport):
        reports.build(sample, "pptx", dt.date(2026, 1, 1), s)


def test_cli_all_into_a_folder(sample_db, tmp_path, capsys):
    out = tmp_path / "通报" / "本周"
    assert main(["report", "--db", str(sample_db), "--as-of", "2026-11-30", "--format", "all",
                 "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == NAMES
    assert capsys.readouterr().out.splitlines() == [
        f"已导出Excel通报：{out / NAMES[2]}", f"已导出PowerPoint汇报：{out / NAMES[0]}",
        f"已导出Word通报：{out / NAMES[1]}"]


def test_cli_refusals_write_nothing(sample_db, tmp_path, capsys, monkeypatch):
    a_file = tmp_path / "a.txt"
    a_file.write_text("x")
    assert main(["report", "--db", str(sample_db), "--as-of", "2026-11-27", "--format", "all",
                 "--out", str(a_file)]) == 1
    assert capsys.readouterr().err.strip() == f"失败 输出路径“{a_file}”是文件，--format all 需要一个文件夹"
    out = tmp_path / "x.pptx"
    assert main(["report", "--db", str(sample_db), "--as-of", "2026-01-01", "--format", "pptx",
                 "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == "失败 2026年1月1日及以前没有台账，无法生成汇报"
    assert not out.exists()
    folder = tmp_path / "all"
    assert main(["report", "--db", str(sample_db), "--as-of", "2026-01-01", "--format", "all",
                 "--out", str(folder)]) == 2
    assert capsys.readouterr().err.strip() == "失败 2026年1月1日及以前没有台账，无法生成汇报"
    assert not folder.exists()
    monkeypatch.setenv("LIBREOFFICE", str(tmp_path / "no-such-soffice"))
    assert main(["report", "--db", str(sample_db), "--as-of", "2026-11-27", "--format", "docx", "--pdf",
                 "--out", str(tmp_path / "t.docx")]) == 2
    assert capsys.readouterr().err.strip() == f"失败 {reports.MISSING}"
    assert not (tmp_path / "t.docx").exists()


def test_pdf_unavailable_is_said_in_chinese(monkeypatch, tmp_path):
    monkeypatch.setenv("LIBREOFFICE", str(tmp_path / "no-such-soffice"))
    assert reports.libreoffice() is None
    with pytest.raises(reports.PdfUnavailable, match="本机未安装LibreOffice"):
        reports.to_pdf(b"x", "docx")
    slow = tmp_path / "slow-soffice"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(0o755)
    monkeypatch.setenv("LIBREOFFICE", str(slow))
    with pytest.raises(reports.PdfUnavailable, match="超过1秒仍未完成，已停止"):
        reports.to_pdf(b"x", "docx", timeout=1)
    broken = tmp_path / "broken-soffice"
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setenv("LIBREOFFICE", str(broken))
    with pytest.raises(reports.PdfUnavailable, match="退出码3"):
        reports.to_pdf(b"x", "docx")


def _pages(pdf: bytes) -> int:
    import re
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_cli_pdf_and_rendered_images(sample_db, sample):
    """Every format's PDF, and the PowerPoint and Word 通报 rendered to PNG for a person
    to look at (test-output/rendered/)."""
    need_libreoffice()
    RENDERED.mkdir(parents=True, exist_ok=True)
    for old in RENDERED.glob("*"):
        old.unlink()
    assert main(["report", "--db", str(sample_db), "--as-of", "2026-11-27", "--format", "all", "--pdf",
                 "--out", str(RENDERED)]) == 0
    names = sorted(p.name for p in RENDERED.iterdir())
    assert names == sorted(NAMES + ["会议汇报_20261127.pdf", "通报_20261127.pdf", "通报附表_20261127.pdf"])
    m = meeting.meeting(sample, AS_OF, load_settings(sample))
    slides = (RENDERED / "会议汇报_20261127.pdf").read_bytes()
    assert slides.startswith(b"%PDF") and _pages(slides) == len(m.slides)
    assert (RENDERED / "通报_20261127.pdf").read_bytes().startswith(b"%PDF")
    pdftoppm = shutil.which("pdftoppm")
    require(pdftoppm is not None, "没有安装pdftoppm（Debian: apt-get install poppler-utils），不生成预览图")
    for stem in ("会议汇报_20261127", "通报_20261127"):
        subprocess.run([pdftoppm, "-png", "-r", "60", str(RENDERED / f"{stem}.pdf"), str(RENDERED / stem)],
                       check=True, timeout=120)
    images = sorted(p.name for p in RENDERED.glob("会议汇报_20261127*.png"))
    assert len(images) == len(m.slides)
    assert list(RENDERED.glob("通报_20261127*.png"))
