"""``import_paths`` and ``paperradar import`` on a real SQLite store: detection, idempotency,
merging across sources, per-file errors, exit codes."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from paperradar.ingest.files import detect, import_paths
from paperradar.store import open_store

F = Path(__file__).parents[1] / "fixtures" / "ingest"


@pytest.mark.parametrize("name,kind", [
    ("api/q_testing_s0_m10_bc5a6c384fe9.xml", "arxiv-api"),
    ("oai/listrecords_list-identifiers-from-arxiv_1_200.xml", "arxiv-oai"),
    ("oai/sample_arxiv_response_no_namespace.xml", "arxiv-oai"),
    ("rss/arxiv_rss_example_cs.AI_2025-08-20.xml", "arxiv-listing"),
    ("rss/rss2_constructed.xml", "arxiv-listing"),
    ("hf/2024-05-27.json", "hf-daily"),
    ("hf_malformed/2024-12-26.json", "hf-daily"),
    ("hf_malformed/2025-01-10.json", "hf-daily"),
    ("kaggle/snapshot_constructed.json", "kaggle"),
    ("kaggle/snapshot_constructed_array.json", "kaggle"),
    ("jsonl/arxiv_2026-03_sample.jsonl", "jsonl"),
])
def test_detect_by_content(name, kind, tmp_path):
    assert detect(F / name) == kind
    renamed = tmp_path / "no-extension"  # the extension plays no part
    shutil.copy(F / name, renamed)
    assert detect(renamed) == kind


def test_import_every_format_then_reimport_changes_nothing(store):
    report = import_paths(store, [F / "api", F / "oai", F / "rss", F / "hf", F / "kaggle", F / "jsonl"])
    s = report.stats
    assert s.added > 250 and s.daily_added == 22
    p = store.get_paper("1412.8544")  # from OAI (arXiv format) and the Kaggle snapshot
    assert p.sources == ["arxiv-oai", "arxiv-snapshot"]
    assert p.version == 1 and p.versions[0].date == "2014-12-29T03:16:30Z"  # from the snapshot
    assert p.doi == "10.4204/EPTCS.172.11"
    assert store.get_paper("2602.22430").title.startswith("TopoEdit")
    entry = store.daily_entries_for("2506.17450")[0]
    assert (entry.date, entry.submitted_by, entry.upvotes) == ("2025-06-30", "cccjc", 24)
    before = store.dump()
    again = import_paths(store, [F / "api", F / "oai", F / "rss", F / "hf", F / "kaggle", F / "jsonl"])
    assert (again.stats.added, again.stats.updated, again.stats.daily_added,
            again.stats.daily_updated) == (0, 0, 0, 0)
    assert again.stats.unchanged == s.seen
    assert store.dump() == before


def test_hf_then_arxiv_newer_version_updates_in_place(store, tmp_path):
    hf = tmp_path / "2024-05-27.json"
    shutil.copy(F / "hf/2024-05-27.json", hf)
    import_paths(store, [hf])
    p = store.get_paper("2405.15738")
    assert p.version is None and p.sources == ["hf"]
    feed = (F / "api/id_2104.12255v1_s0_m100_6ae69987ffe1.xml").read_text()
    feed = (feed.replace("2104.12255v1", "2405.15738v2").replace("<title>0</title>",
                                                                   "<title>ConvLLaVA v2</title>")
            .replace("What is the funniest", "Revised: what is the funniest"))
    api = tmp_path / "api.xml"
    api.write_text(feed)
    report = import_paths(store, [api])
    assert (report.stats.added, report.stats.updated) == (0, 1)
    p = store.get_paper("2405.15738")
    assert (p.version, p.title) == (2, "ConvLLaVA v2")
    assert p.abstract.startswith("Revised:")
    assert p.sources == ["arxiv-api", "hf"]
    assert [v.version for v in p.versions] == [2]
    assert any(link.url == "https://github.com/alibaba/conv-llava" for link in p.links)  # kept
    assert store.daily_entries_for("2405.15738")[0].upvotes == 32  # daily entry kept


def test_malformed_hf_files_give_per_file_errors_and_the_rest_imports(store, tmp_path):
    tmp_path = tmp_path / "in"
    tmp_path.mkdir()
    for name in ("hf_malformed/2024-12-26.json", "hf_malformed/2025-01-10.json",
                 "hf/2025-06-30.json"):
        shutil.copy(F / name, tmp_path / Path(name).name)
    report = import_paths(store, [tmp_path])
    assert report.files == 3 and len(report.errors) == 2
    assert all("Python repr" in e and "no valid records" in e for e in report.errors)
    assert report.errors[0].startswith(str(tmp_path / "2024-12-26.json") + ": ")
    assert report.stats.added == 9 and store.count_papers() == 9


def test_bad_record_skipped_good_ones_imported(store, tmp_path):
    lines = (F / "jsonl/arxiv_2026-03_sample.jsonl").read_bytes().splitlines(keepends=True)[:20]
    lines[3] = b'{"id": "x y z", "title": "bad id"}\n'
    lines[7] = b'{"id": "2401.00001", "title": "trunc\n'
    lines[11] = b'\xff\xfe not utf-8\n'
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"".join(lines))
    report = import_paths(store, [path])
    assert report.stats.added == 17
    assert len(report.errors) == 1 and "3 skipped" in report.errors[0]
    assert "line 4" in report.errors[0] and "line 8" in report.errors[0]
    assert "invalid UTF-8" in report.errors[0]


def test_gzip_and_utf16_jsonl(store, tmp_path):
    tmp_path = tmp_path / "in"
    tmp_path.mkdir()
    raw = (F / "jsonl/arxiv_2026-03_sample.jsonl").read_bytes()
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(raw[: raw.index(b"\n", 20000) + 1]))
    text = raw.decode("utf-8").splitlines(keepends=True)[150:]
    (tmp_path / "b.jsonl").write_bytes("".join(text).encode("utf-16"))
    report = import_paths(store, [tmp_path])
    assert report.errors == []
    assert report.stats.added == store.count_papers() > 50
    assert store.get_paper("2602.22430") is not None


def _cli(env_settings, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PAPERRADAR_DATA_DIR": str(env_settings.data_dir),
           "PAPERRADAR_DATABASE_URL": env_settings.database_url, "PAPERRADAR_ENV": "test"}
    return subprocess.run([sys.executable, "-m", "paperradar", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_cli_exit_codes_and_summary(env_settings, tmp_path):
    missing = _cli(env_settings, "import", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "no such file or directory" in missing.stderr
    assert "Traceback" not in missing.stderr
    ok = _cli(env_settings, "import", "--no-index", str(F / "kaggle/snapshot_constructed.json"))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == ("1 files, 3 papers: 3 new, 0 updated, 0 unchanged; "
                                 "0 daily entries written")
    partial = _cli(env_settings, "import", "--no-index", str(F / "hf_malformed"), str(F / "hf"))
    assert partial.returncode == 1
    assert partial.stderr.count("error:") == 2 and "2024-12-26.json" in partial.stderr
    assert "4 files, 22 papers: 22 new" in partial.stdout
    bad_source = _cli(env_settings, "import", "--source", "Bad Name", str(F / "hf"))
    assert bad_source.returncode == 2 and "invalid --source" in bad_source.stderr
    store = open_store(env_settings.resolved_database_url)
    try:
        assert store.count_papers() == 25
    finally:
        store.close()


def test_many_bad_lines_counted_not_all_kept(store, tmp_path):
    path = tmp_path / "bad.jsonl"
    good = (F / "jsonl/arxiv_2026-03_sample.jsonl").read_text().splitlines()[0]
    path.write_text(good + "\n" + "{broken\n" * 5000)
    report = import_paths(store, [path])
    assert report.stats.added == 1
    assert report.errors == [f"{path}: 5,000 skipped: malformed JSON (Expecting property name "
                             "enclosed in double quotes, column 2) (line 2, line 3, line 4, ...)"]


def test_newer_version_keeps_history_and_script_title_verbatim(store, tmp_path):
    (tmp_path / "in").mkdir()
    v1 = (F / "api/id_2104.12255v1_s0_m100_6ae69987ffe1.xml").read_text()
    v2 = (v1.replace("2104.12255v1", "2104.12255v2")
          .replace("<title>0</title>", "<title>&lt;script&gt;alert(1)&lt;/script&gt; Zero</title>")
          .replace("<updated>2021-04-20T16:07:14Z</updated>", "<updated>2021-05-02T08:00:00Z</updated>"))
    (tmp_path / "in" / "a.xml").write_text(v1)
    (tmp_path / "in" / "b.xml").write_text(v2)
    report = import_paths(store, [tmp_path / "in"])
    assert (report.stats.added, report.stats.updated) == (1, 1)
    p = store.get_paper("2104.12255")
    assert p.version == 2 and p.title == "<script>alert(1)</script> Zero"
    assert [(v.version, v.date) for v in p.versions] == [
        (1, "2021-04-20T16:07:14Z"), (2, "2021-05-02T08:00:00Z")]
    assert p.published == "2021-04-20T16:07:14Z" and p.updated == "2021-05-02T08:00:00Z"
    (tmp_path / "in" / "b.xml").unlink()  # an older version arriving later changes nothing
    assert import_paths(store, [tmp_path / "in"]).stats.updated == 0
    assert store.get_paper("2104.12255").title == "<script>alert(1)</script> Zero"
