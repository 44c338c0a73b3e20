"""The bench generators on tiny inputs: baseline tokens, the scaled corpus, the workload, the
loopback guard, the bounded load runner and the outage analysis."""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.load.outage import analyse
from bench.load.runner import run_load
from bench.load.server import NotLoopback, require_loopback
from bench.load.stats import Sample
from bench.load.workload import MIX, Workload
from bench.relevance.baselines import baseline_query, bigrams, plain_words
from bench.scale.__main__ import main as scale_main
from bench.scale.generate import scaled, shuffle_paragraphs, spread_date, vary


def test_bigrams_like_the_cjk_analyzer() -> None:
    assert bigrams("生成AIの著作権") == ["生成", "ai", "の著", "著作", "作権"]
    assert bigrams("AI") == ["ai"]
    assert bigrams("猫") == ["猫"]
    assert bigrams("The GPT-4o model and Opus 4.8") == ["gpt", "4o", "model", "opus", "4.8"]
    assert bigrams("ＡＢＣ　ｶﾀｶﾅ") == ["abc", "カタ", "タカ", "カナ"]  # width folded


def test_plain_words_drop_syntax() -> None:
    assert plain_words('tag:Policy "facial recognition" -ban (a OR b)') == "Policy facial recognition a b"
    assert plain_words("entity:anthropic Claude") == "anthropic Claude"
    assert baseline_query("bigram", "生成AI")["match"]["text"]["query"] == "生成 ai"
    assert baseline_query("standard", "GPT-4o")["match"]["text"] == {"query": "GPT-4o", "operator": "or"}


def _corpus(tmp: Path) -> list[Path]:
    a = tmp / "a.jsonl.gz"
    with gzip.open(a, "wt", encoding="utf-8") as f:
        for i in range(3):
            f.write(
                json.dumps(
                    {
                        "id": f"a{i}",
                        "url": f"https://x/{i}",
                        "title": f"T{i}",
                        "lang": "en",
                        "published": "2020-01-01",
                        "body": "p1\n\np2\n\np3\n\np4",
                        "translation_of": "zz",
                    }
                )
                + "\n"
            )
    b = tmp / "b.jsonl"
    b.write_text(json.dumps({"id": "b0", "title": "ビー", "body": "本文"}) + "\n\n", encoding="utf-8")
    return [a, b]


def test_scaled_cycles_with_new_ids_dates_and_variation(tmp_path: Path) -> None:
    out = list(scaled(_corpus(tmp_path), 20))
    assert [r["id"] for r in out] == [f"scale-{i:08d}" for i in range(20)]
    assert len({r["id"] for r in out}) == 20
    by_file = [r["scale_of"][0] for r in out]
    assert by_file.count("a") == 15 and by_file.count("b") == 5  # in proportion 3:1
    firsts = [r for r in out if r["scale_copy"] == 0]
    assert all(r["title"] in ("T0", "T1", "T2", "ビー") for r in firsts)
    copies = [r for r in out if r["scale_copy"] > 0 and r["scale_of"] == "a0"]
    assert copies and all(r["title"].startswith("T0 (copy ") for r in copies)
    assert all(sorted(r["body"].split("\n\n")) == ["p1", "p2", "p3", "p4"] for r in copies)
    assert all("translation_of" not in r for r in out)
    assert all(r["url"].endswith(f"#scale-{int(r['id'][6:])}") for r in out if r.get("url"))
    years = {r["published"][:4] for r in out}
    assert len(years) >= 5


def test_spread_dates_stay_in_range() -> None:
    days = [spread_date(n) for n in range(2000)]
    assert min(days) >= date(2017, 1, 1) and max(days) <= date(2026, 8, 31)
    assert len({d.year for d in days}) == 10
    assert spread_date(5, date(2020, 1, 1), date(2020, 1, 1)) == date(2020, 1, 1)


def test_vary_and_shuffle() -> None:
    import random

    assert shuffle_paragraphs("one paragraph", random.Random(1)) == "one paragraph"
    rec = {"id": "x", "title": "t", "body": "a\nb\nc"}
    assert vary(rec, 3, 0)["title"] == "t" and vary(rec, 3, 0)["body"] == "a\nb\nc"
    assert vary(rec, 3, 2)["title"] == "t (copy 3)"
    assert rec["id"] == "x"  # the input is not changed


def test_scale_cli_streams_gzip(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _corpus(corpus)
    out = tmp_path / "out.jsonl.gz"
    scale_main(["--n", "7", "--out", str(out), "--corpus", str(corpus)])
    with gzip.open(out, "rt", encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert len(lines) == 7 and json.loads(lines[-1])["id"] == "scale-00000006"


def test_workload_mix_and_kinds() -> None:
    w = Workload(seed=1)
    kinds = [w.next().kind for _ in range(2000)]
    for kind, weight in MIX.items():
        assert abs(kinds.count(kind) / 2000 - weight / 100) < 0.04
    assert w.make("timeline").params["facets"] == "months"
    assert Workload(timeline_path="/v1/trends/timeline").make("timeline").path == "/v1/trends/timeline"
    assert w.make("export").stream


def test_loopback_only() -> None:
    for url in ("http://127.0.0.1:8000", "http://localhost:1", "http://[::1]:80", "http://127.9.9.9"):
        assert require_loopback(url) == url
    for url in ("http://10.0.0.1:8000", "http://example.org", "http://192.168.1.1"):
        with pytest.raises(NotLoopback):
            require_loopback(url)
    with pytest.raises(NotLoopback):
        asyncio.run(run_load("http://10.1.2.3", Workload().next, 1, 1, 1))


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 503 if "fail" in self.path else 200
        body = b'{"id": 1}\n{"id": 2}\n'
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_run_load_is_bounded_by_count_and_time() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        w = Workload(mix={"search": 1, "export": 1, "facets": 0, "timeline": 0}, seed=3)
        samples, wall = asyncio.run(run_load(url, w.next, 4, 25, 30))
        assert len(samples) == 25 and all(s.ok for s in samples)
        assert any(s.kind == "export" and s.items == 2 for s in samples)
        samples, wall = asyncio.run(run_load(url, w.next, 2, 10**9, 0.5))
        assert 0.4 < wall < 5 and samples
    finally:
        server.shutdown()
        server.server_close()


def test_outage_analysis() -> None:
    marks = {"stop_begin": 10.0, "stop_end": 12.0, "start_begin": 22.0, "start_end": 40.0}
    samples = [
        Sample(5, 0.01, "search", 200),
        Sample(11, 0.02, "search", 200),
        Sample(13, 2.0, "search", 503),
        Sample(30, 1.5, "facets", None, "ConnectError"),
        Sample(41, 0.5, "search", 200),
        Sample(42, 0.01, "search", 200),
    ]
    r = analyse(samples, marks)
    assert r["during"]["errors_by_outcome"] == {"503": 1, "ConnectError": 1}
    assert r["during"]["requests"] == 4  # started from the stop until the first success after it
    assert r["during"]["ok"] == 2
    assert r["recovered_at_s"] == 41.5
    assert r["recovery_s_after_es_healthy"] == 1.5
    assert r["recovery_s_after_restart_cmd"] == 19.5
    assert r["unavailable_s"] == 31.5
    assert r["after"]["requests"] == 1 and r["after"]["errors"] == 0
    assert r["during"]["latency_all"]["max_ms"] == 2000.0
