"""The 通报 files, as the 会议汇报 page's download buttons and ``python -m data_pipeline
report`` make them: one function per format from the same figures (``report_xlsx``,
``report_pptx``, ``report_docx``), their file names, and a PDF of any of them through
LibreOffice when it is installed.

Rules:
- ``FORMATS``: xlsx (Excel 通报), pptx (汇报 slides), docx (Word 通报); ``all`` is the
  three. A file is named ``<kind>_<YYYYMMDD of the report date>.<format>``
  (``file_name``, ``KINDS``), e.g. ``会议汇报_20261127.pptx``; its PDF the same with
  ``.pdf``, so the three PDFs have three names.
- PDF (``to_pdf``): LibreOffice (``soffice``/``libreoffice`` on PATH, ``LIBREOFFICE``
  to name another) converts the file in a fresh temporary folder with its own user
  profile (two conversions never share one, and a desktop LibreOffice that is open does
  not block it), within ``PDF_TIMEOUT`` seconds; ``PdfUnavailable`` (a Chinese message)
  when LibreOffice is missing, fails or times out.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from . import labels
from .campaign.settings import CampaignSettings
from .metrics import ALL, Filters

FORMATS = ("xlsx", "pptx", "docx")
KINDS = {"xlsx": "通报附表", "pptx": "会议汇报", "docx": "通报"}
DESCRIPTIONS = {"xlsx": "Excel通报", "pptx": "PowerPoint汇报", "docx": "Word通报", "pdf": "PDF"}
MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf"}
PDF_TIMEOUT = 120


class PdfUnavailable(RuntimeError):
    """No PDF could be made (a Chinese message saying why)."""


def file_name(fmt: str, report_date: dt.date, pdf: bool = False) -> str:
    """``通报附表_20261127.xlsx``, ``会议汇报_20261127.pptx``, ``通报_20261127.docx``;
    ``pdf``: the PDF of it (``会议汇报_20261127.pdf``)."""
    return f"{KINDS[fmt]}_{labels.stamp(report_date)}.{'pdf' if pdf else fmt}"


def build(con, fmt: str, as_of: dt.date, settings: CampaignSettings, since: dt.date | None = None,
          filters: Filters = ALL) -> bytes:
    """The ``fmt`` file as of ``as_of`` (``ValueError`` in Chinese as the figures, e.g.
    ``meeting.NoReport`` when there is no report on or before ``as_of``)."""
    if fmt == "xlsx":
        from .report_xlsx import report_xlsx
        return report_xlsx(con, as_of, settings, since, filters)
    if fmt == "pptx":
        from .report_pptx import report_pptx
        return report_pptx(con, as_of, settings, since, filters)
    if fmt == "docx":
        from .report_docx import report_docx
        return report_docx(con, as_of, settings, since, filters)
    raise ValueError(f"不支持的格式“{fmt}”，可选：{'、'.join(FORMATS)}、all")


def libreoffice() -> str | None:
    """The LibreOffice program to convert with (``LIBREOFFICE``, else ``soffice`` or
    ``libreoffice`` on PATH); None when there is none."""
    named = os.environ.get("LIBREOFFICE")
    if named:
        return named if Path(named).is_file() else shutil.which(named)
    return shutil.which("soffice") or shutil.which("libreoffice")


MISSING = "本机未安装LibreOffice，无法导出PDF（安装LibreOffice后即可导出；也可下载原文件后用WPS或Office另存为PDF）"


def to_pdf(data: bytes, fmt: str, *, timeout: float = PDF_TIMEOUT) -> bytes:
    """The PDF of a ``fmt`` file's bytes (module rules); ``PdfUnavailable`` otherwise."""
    program = libreoffice()
    if program is None:
        raise PdfUnavailable(MISSING)
    with tempfile.TemporaryDirectory(prefix="campaign-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / f"report.{fmt}"
        source.write_bytes(data)
        profile = (folder / "profile").as_uri()
        cmd = [program, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nolockcheck",
               "--convert-to", "pdf", "--outdir", str(folder / "out"), str(source)]
        try:
            # Its own session: on a timeout the whole process group (LibreOffice starts a
            # child soffice.bin) is killed, not only the launcher.
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, env={**os.environ, "HOME": tmp},
                                    start_new_session=True)
        except OSError as exc:
            raise PdfUnavailable(f"无法运行LibreOffice（{exc.strerror or exc}）") from None
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise PdfUnavailable(f"LibreOffice转换PDF超过{int(timeout)}秒仍未完成，已停止") from None
        out = folder / "out" / "report.pdf"
        if code != 0 or not out.is_file():
            raise PdfUnavailable(f"LibreOffice未能转换PDF（退出码{code}）")
        return out.read_bytes()


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()
    proc.wait()
