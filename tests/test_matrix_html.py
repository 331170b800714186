"""The clause x release matrix as a maintainer reads it: statuses, details, verdicts, legend, errors."""

from __future__ import annotations

import html
import json
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from anam_conformance import matrix
from anam_conformance.clauses import CLAUSES, Level
from anam_conformance.expectations import Expectation
from anam_conformance.renderers.matrix import LABELS, Column, matrix_html, matrix_markdown
from anam_conformance.report import STATUSES

SHOULD = next(c.id for c in CLAUSES if c.level is Level.SHOULD)
HOSTILE = "expected <b>\"1152\"</b> & '768'; actual <script>alert(1)</script>\nsecond line\n  indented diff"


def report(verdict: str = "conforming", *, schema: int = 3, **outcomes: str) -> dict[str, Any]:
    """A clause report: every clause passes except those given (``dims__verbatim`` is dims.verbatim)."""
    given = {key.replace("__", ".").replace("_", "-"): value for key, value in outcomes.items()}
    clauses = []
    for c in CLAUSES:
        outcome = given.get(c.id, "pass")
        entry: dict[str, Any] = {
            "id": c.id,
            "level": c.level.value,
            "title": c.title,
            "outcome": outcome,
            "blocked_by": "avatar.token" if outcome == "blocked" else None,
            "detail": "" if outcome == "pass" else f"{outcome} of {c.id}: expected this; actual that\nmore",
            "tests": [],
        }
        if schema >= 3:
            entry["status"] = "warn" if outcome == "fail" and c.level is not Level.MUST else outcome
        clauses.append(entry)
    return {
        "schema": schema,
        "plugin": {"module": "livekit.plugins.anam", "version": "9.9.9"},
        "verdict": verdict,
        "clauses": clauses,
    }


VOID = {"br", "wbr", "meta", "link", "img", "hr", "input"}


class Cells(HTMLParser):
    """The main table's cells by (clause or "verdict", column index), the legend's rows, and the text."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.cells: dict[tuple[str, int], dict[str, Any]] = {}
        self.legend: list[tuple[str, str]] = []
        self._section = ""
        self._row: str | None = None
        self._index = -1
        self._cell: dict[str, Any] | None = None
        self._in: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "section":
            self._section = attributes.get("class", "")
        if tag in ("tbody", "tfoot") and not self._section:
            self._row = ""
        if tag == "tr":
            self._index = -1
            if "verdict" in attributes.get("class", ""):
                self._row = "verdict"
            elif self._row is not None and self._row != "verdict":
                self._row = ""
        if tag == "td":
            self._index += 1
            self._cell = {
                "class": attributes.get("class", ""),
                "title": attributes.get("title"),
                "text": "",
                "summary": None,
                "pre": None,
            }
        if tag not in VOID:
            self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            if self._section == "legend":
                self.legend.append((self._cell["class"], self._cell["text"]))
            elif self._row:
                # Column 0 is the level; the releases start at 1.
                self.cells[(self._row, self._index)] = self._cell
            self._cell = None
        if tag == "section":
            self._section = ""
        if tag in self._in:
            del self._in[len(self._in) - 1 - self._in[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "code" and self._row == "" and self._cell is None:
            self._row = data
        if self._cell is None:
            return
        self._cell["text"] += data
        if "summary" in self._in:
            self._cell["summary"] = (self._cell["summary"] or "") + data
        if "pre" in self._in:
            self._cell["pre"] = (self._cell["pre"] or "") + data


def column(label: str, rendered: dict[str, Any], expectation: Expectation | None = None) -> Column:
    return Column(label, rendered, expectation if expectation is not None else Expectation(label))


def test_the_legend_explains_every_status_the_unexpected_outline_and_the_verdicts() -> None:
    page = Cells(matrix_html([column("reference", report())]))
    classes = [css for css, _ in page.legend]
    assert all(status in classes for status in STATUSES)
    texts = dict(page.legend)
    assert texts["warn"] == "warn" and texts["fail"] == "FAIL"
    assert "pass unexpected" in classes
    legend = matrix_html([column("reference", report())]).split('<section class="legend"', 1)[1]
    assert "expectations/&lt;label&gt;.toml" in legend
    assert "v-conforming" in legend and "v-nonconforming" in legend and "v-error" in legend


def test_failing_warning_blocked_and_error_cells_carry_their_detail() -> None:
    rendered = report("error", avatar__token="fail", avatar__joins="blocked", request__snapshot="error")
    rendered["clauses"] = [
        c
        if c["id"] != SHOULD
        else {
            **c,
            "outcome": "fail",
            "status": "warn",
            "detail": f"fail of {SHOULD}: expected this; actual that\nmore",
        }
        for c in rendered["clauses"]
    ]
    expectation = Expectation("1.8.9", "nonconforming", {"avatar.token": "fail", "avatar.joins": "blocked"})
    page = Cells(matrix_html([column("1.8.9", rendered, expectation)]))
    for clause_id, css, label in (
        ("avatar.token", "fail", "FAIL"),
        ("avatar.joins", "blocked", "blocked"),
        ("request.snapshot", "error", "ERROR"),
        (SHOULD, "warn", "warn"),
    ):
        cell = page.cells[(clause_id, 1)]
        assert cell["class"].split()[0] == css
        assert cell["summary"] == label
        assert cell["title"].endswith("expected this; actual that"), cell
        assert (
            cell["pre"]
            == f"{'fail' if css == 'warn' else css} of {clause_id}: expected this; actual that\nmore"
        )
    passing = page.cells[("request.shape", 1)]
    assert passing["class"] == "pass" and passing["title"] is None and passing["pre"] is None


def test_a_failed_should_is_an_amber_warn_that_leaves_the_verdict_green_in_old_and_new_reports() -> None:
    for schema in (2, 3):
        rendered = report(schema=schema, **{SHOULD.replace(".", "__").replace("-", "_"): "fail"})
        assert ("status" in rendered["clauses"][0]) is (schema == 3)
        expectation = Expectation("1.8.9", "conforming", {SHOULD: "fail"})
        page = Cells(matrix_html([column("1.8.9", rendered, expectation)]))
        cell = page.cells[(SHOULD, 1)]
        assert cell["class"] == "warn", cell  # as expected: no outline, and never the red "fail"
        assert page.cells[("verdict", 1)]["class"] == "v-conforming"
        table = matrix_markdown([column("1.8.9", rendered, expectation)])
        assert f"| `{SHOULD}` | SHOULD | warn |" in table


def test_the_verdict_row_is_coloured_and_notes_a_verdict_other_than_expected() -> None:
    columns = [
        column("reference", report()),
        column(
            "1.5.18",
            report("nonconforming", dims__verbatim="fail"),
            Expectation("1.5.18", "nonconforming", {"dims.verbatim": "fail"}),
        ),
        column("1.8.9", report("nonconforming", avatar__token="fail")),
        column(
            "npm-1.5.0", report("error", request__snapshot="error"), Expectation("npm-1.5.0", "nonconforming")
        ),
    ]
    page = Cells(matrix_html(columns))
    verdicts = [page.cells[("verdict", index)] for index in range(1, 5)]
    assert [v["class"] for v in verdicts] == [
        "v-conforming",
        "v-nonconforming",
        "v-nonconforming unexpected",
        "v-error unexpected",
    ]
    assert verdicts[2]["text"] == "NONCONFORMINGexpected conforming"
    assert verdicts[3]["text"] == "no verdict (error)expected nonconforming"
    assert page.cells[("avatar.token", 3)]["class"] == "fail unexpected"
    assert "expected pass" in page.cells[("avatar.token", 3)]["text"]
    assert "(expected conforming)" in matrix_markdown(columns)


#: The old labels (U+2705, U+274C, U+26D4, U+26AA, U+26A0 U+FE0F, U+23ED) and the rest of emoji.
EMOJI = re.compile("[\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\ufe0f\U0001f000-\U0001faff]")


def test_no_emoji_and_every_label_is_plain_text() -> None:
    outcomes = {
        "dims__verbatim": "fail",
        "avatar__joins": "blocked",
        "request__snapshot": "error",
        "fields__disclosure_kept": "unimplemented",
        "retry__bounded": "skip",
    }
    columns = [column("reference", report()), column("1.8.9", report("error", **outcomes))]
    for text in (matrix_html(columns), matrix_markdown(columns)):
        assert not EMOJI.findall(text)
        assert all(ord(ch) < 128 for ch in text), {ch for ch in text if ord(ch) >= 128}
    assert all(label.isascii() and label.strip() for label in LABELS.values())


def test_details_are_html_escaped_in_the_tooltip_and_the_folded_text() -> None:
    rendered = report("nonconforming", dims__verbatim="fail")
    for entry in rendered["clauses"]:
        if entry["id"] == "dims.verbatim":
            entry["detail"] = HOSTILE
    page_text = matrix_html(
        [column("1.8.9", rendered, Expectation("1.8.9", "nonconforming", {"dims.verbatim": "fail"}))]
    )
    assert "<script>" not in page_text and "<b>" not in page_text
    assert html.escape(HOSTILE.splitlines()[0]) in page_text
    cell = Cells(page_text).cells[("dims.verbatim", 1)]
    assert cell["title"] == HOSTILE.splitlines()[0]
    assert cell["pre"] == HOSTILE


def write_reports(tmp_path: Path, **reports: dict[str, Any]) -> Path:
    directory = tmp_path / "reports"
    directory.mkdir(exist_ok=True)
    for label, rendered in reports.items():
        (directory / f"{label}.json").write_text(json.dumps(rendered))
    return directory


def test_a_report_without_an_expectation_file_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expectations = tmp_path / "expectations"
    expectations.mkdir()
    (expectations / "reference.toml").write_text('verdict = "conforming"\n')
    reports = write_reports(tmp_path, reference=report(), r=report())
    html_path = tmp_path / "m.html"
    assert matrix.main([str(reports), "--expectations", str(expectations), "--html", str(html_path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and not html_path.exists()
    assert err.count("\n") == 1, err
    assert err.startswith("anam_conformance.matrix: no expectations for 'r' (expected ")
    assert str(expectations / "r.toml") in err and "--no-expectations" in err
    # Every missing label in the same one line.
    write_reports(tmp_path, **{"1.9.0": report()})
    assert matrix.main([str(reports), "--expectations", str(expectations)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no expectations for '1.9.0', 'r' (expected " in err


def test_no_expectations_renders_without_judging(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports = write_reports(tmp_path, r=report("nonconforming", avatar__token="fail"))
    html_path = tmp_path / "m.html"
    assert matrix.main([str(reports), "--no-expectations", "--html", str(html_path)]) == 0
    out, err = capsys.readouterr()
    assert "| `avatar.token` | MUST | **FAIL** |" in out and "expected" not in out
    assert "nothing judged" in err
    page = html_path.read_text()
    assert "unexpected" not in Cells(page).cells[("avatar.token", 1)]["class"]
    assert "Rendered without expectations" in page


def test_the_command_names_itself_by_the_import_package(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        matrix.main(["--help"])
    assert capsys.readouterr().out.startswith("usage: python -m anam_conformance.matrix ")
    with pytest.raises(SystemExit) as exit_info:
        matrix.main(["r.json", "--expectations", "e", "--no-expectations"])
    assert exit_info.value.code == 2


# --- rendered by a real browser, without an emoji font -------------------------------------------------

CHROMIUM = shutil.which("chromium")
HEADLESS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROBE = """<script>
const style = (element) => getComputedStyle(element).backgroundColor;
const legend = document.querySelector("section.legend");
const probe = {
  legend: legend.getBoundingClientRect().height,
  legendRows: legend.querySelectorAll("tr").length,
  verdicts: [...document.querySelectorAll("tr.verdict td[class]")].map((td) => [td.className, style(td)]),
  warn: style(document.querySelector("tbody td.warn")),
  fail: style(document.querySelector("tbody td.fail")),
  details: document.querySelectorAll("tbody td details pre").length,
  folded: [...document.querySelectorAll("tbody td details pre")].every((pre) => !pre.checkVisibility()),
};
const out = document.createElement("pre");
out.id = "probe";
out.textContent = JSON.stringify(probe);
document.body.append(out);
</script>"""


def demo_page() -> str:
    columns = [
        column("reference", report()),
        column("1.8.1", report("nonconforming", avatar__token="fail", avatar__joins="blocked")),
        column(
            "1.8.9",
            report(**{SHOULD.replace(".", "__").replace("-", "_"): "fail"}),
            Expectation("1.8.9", "conforming", {SHOULD: "fail"}),
        ),
    ]
    return matrix_html(columns)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    return subprocess.run(
        [CHROMIUM, *HEADLESS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def png_pixels(path: Path) -> tuple[int, int, bytes]:
    """Width, height and the (still filtered) scanlines of a PNG, read with the standard library."""
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    offset, width, height, idat = 8, 0, 0, b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    return width, height, zlib.decompress(idat)


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (Debian: apt-get install chromium)")
def test_headless_chromium_renders_the_legend_the_coloured_verdicts_and_a_non_blank_page(
    tmp_path: Path,
) -> None:
    page = tmp_path / "matrix.html"
    page.write_text(demo_page().replace("</body>", PROBE + "</body>"), encoding="utf-8")
    run = chromium(tmp_path, "--dump-dom", page.as_uri())
    found = re.search(r'<pre id="probe">(.*?)</pre>', run.stdout, re.S)
    assert found, (run.returncode, run.stderr[-2000:])
    probe = json.loads(html.unescape(found.group(1)))
    assert probe["legend"] > 100 and probe["legendRows"] >= len(STATUSES) + 2
    assert probe["verdicts"] == [
        ["v-conforming", "rgb(206, 234, 214)"],
        ["v-nonconforming unexpected", "rgb(246, 174, 169)"],
        ["v-conforming", "rgb(206, 234, 214)"],
    ]
    assert probe["warn"] == "rgb(254, 240, 195)" and probe["fail"] == "rgb(250, 210, 207)"
    assert probe["details"] == 3 and probe["folded"], "each detail is there, folded until asked for"

    page.write_text(demo_page(), encoding="utf-8")
    shot = tmp_path / "matrix.png"
    run = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,900", page.as_uri())
    assert shot.exists(), (run.returncode, run.stderr[-2000:])
    width, height, scanlines = png_pixels(shot)
    assert (width, height) == (1200, 900)
    # A blank or uniform page filters down to a handful of byte values; a rendered table has many.
    assert len(set(scanlines)) > 64
