"""RSS and Atom feeds (hand-written test files)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from indexer.post import Post, make_post_id
from indexer.sources import Parsed, Reject, detect_format, read_records
from indexer.sources.feed import read_feed

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>AI &amp; ML Weekly</title>
  <item>
    <title>Model welfare, revisited</title>
    <link>https://example.com/a</link>
    <description>&lt;p&gt;A short &lt;b&gt;teaser&lt;/b&gt; &amp;amp; more.&lt;/p&gt;</description>
    <content:encoded><![CDATA[<p>First paragraph.</p><p>Second &amp; last.</p>
      <script>x()</script>]]></content:encoded>
    <pubDate>Tue, 02 Jun 2026 09:00:00 +0900</pubDate>
    <category>AI Safety</category><category>#LLM</category>
    <dc:creator>Alice</dc:creator>
  </item>
  <item>
    <title>日本語のニュース</title>
    <link>https://example.com/b</link>
    <description>生成AIに関する&lt;br/&gt;ニュースです。</description>
    <pubDate>Wed, 03 Jun 2026 01:00:00 GMT</pubDate>
    <author>bob@example.com (Bob)</author>
  </item>
  <item>
    <title>Bad date</title>
    <link>https://example.com/c</link>
    <pubDate>sometime last week</pubDate>
  </item>
  <item>
    <description></description>
  </item>
  <item>
    <title>Still fine after the bad ones</title>
    <guid>https://example.com/e</guid>
  </item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example Atom</title>
  <entry>
    <title type="html">Agents &amp;amp; &lt;em&gt;tools&lt;/em&gt;</title>
    <link rel="self" href="https://example.com/self"/>
    <link rel="alternate" href="https://example.com/x"/>
    <id>tag:example.com,2026:x</id>
    <published>2026-01-01T00:00:00+09:00</published>
    <updated>2026-01-02T03:04:05Z</updated>
    <author><name>Carol</name></author>
    <category term="ml" label="Machine Learning"/>
    <category term="evals"/>
    <summary>Short summary.</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
      <p>Full <b>content</b>.</p></div></content>
  </entry>
  <entry>
    <title>Only updated</title>
    <link href="https://example.com/y"/>
    <updated>2026-02-03T04:05:06Z</updated>
    <content type="html">&lt;p&gt;Body &amp;lt;3&lt;/p&gt;</content>
  </entry>
</feed>
"""


def test_rss(tmp_path: Path) -> None:
    f = tmp_path / "feed.rss"
    f.write_text(RSS, encoding="utf-8")
    out = list(read_feed(f))
    assert [type(x).__name__ for x in out] == ["Parsed", "Parsed", "Reject", "Reject", "Parsed"]
    a: Post = out[0].post  # type: ignore[union-attr]
    assert a.doc_type == "feed_item"
    assert a.source == "AI & ML Weekly"
    assert a.url == "https://example.com/a"
    assert a.id == make_post_id("https://example.com/a", None, "", None)
    assert a.texts["en"].title == "Model welfare, revisited"
    assert a.texts["en"].summary == "A short teaser & more."
    assert a.texts["en"].body == "First paragraph.\n\nSecond & last."
    assert a.published == datetime(2026, 6, 2, 9, tzinfo=timezone(timedelta(hours=9)))
    assert [t.display for t in a.tags] == ["AI Safety", "LLM"]
    assert a.authors == ["Alice"]

    b: Post = out[1].post  # type: ignore[union-attr]
    assert list(b.texts) == ["ja"]
    assert b.texts["ja"].body == "生成AIに関する\nニュースです。"
    assert b.texts["ja"].summary == ""
    assert b.published == datetime(2026, 6, 3, 1, tzinfo=UTC)
    assert b.authors == ["Bob"]

    bad_date, empty = out[2], out[3]
    assert "bad pubDate 'sometime last week'" in bad_date.reason  # type: ignore[union-attr]
    assert "no title and no text" in empty.reason  # type: ignore[union-attr]
    offset = bad_date.location.offset
    assert offset is not None and RSS.encode()[offset:].startswith(b"<item>\n    <title>Bad date")
    assert bad_date.location.line == RSS.encode()[:offset].count(b"\n") + 1
    assert bad_date.raw.startswith(b"<item>") and bad_date.raw.endswith(b"</item>")  # type: ignore[union-attr]

    e: Post = out[4].post  # type: ignore[union-attr]
    assert e.url == "https://example.com/e"  # permalink guid stands in for the link


def test_atom(tmp_path: Path) -> None:
    f = tmp_path / "feed.atom"
    f.write_text(ATOM, encoding="utf-8")
    x, y = (r.post for r in read_feed(f))  # type: ignore[union-attr]
    assert x.source == "Example Atom"
    assert x.url == "https://example.com/x"
    assert x.texts["en"].title == "Agents & tools"
    assert x.texts["en"].summary == "Short summary."
    assert x.texts["en"].body == "Full content."
    assert x.published == datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=9)))
    assert x.authors == ["Carol"]
    assert [t.display for t in x.tags] == ["Machine Learning", "evals"]
    assert y.published == datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert y.texts["en"].body == "Body <3"


def test_feed_detection_by_content(tmp_path: Path) -> None:
    f = tmp_path / "feed.unknown"
    f.write_text(ATOM, encoding="utf-8")
    assert detect_format(f) == "feed"
    assert [type(x) for x in read_records([f])] == [Parsed, Parsed]


def test_malformed_and_unsafe_xml(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text(RSS.replace("</channel>", ""), encoding="utf-8")
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss><channel>'
                    "<item><title>&a;</title></item></channel></rss>", encoding="utf-8")
    other = tmp_path / "other.xml"
    other.write_text("<html><body>not a feed</body></html>", encoding="utf-8")
    out = list(read_records([broken, bomb, other]))
    assert all(isinstance(x, Reject) for x in out) and len(out) == 3
    assert out[0].reason.startswith("malformed XML: mismatched tag")  # type: ignore[union-attr]
    assert out[0].location.path == str(broken) and out[0].location.line is None
    assert out[1].reason.startswith("forbidden XML construct")  # type: ignore[union-attr]
    assert out[2].reason == "not an RSS or Atom feed (root element <html>)"  # type: ignore[union-attr]


def test_legacy_japanese_encoding(tmp_path: Path) -> None:
    xml = ('<?xml version="1.0" encoding="Shift_JIS"?>\n<rss version="2.0"><channel><title>技術ブログ</title>'
           "<item><title>生成AIの記事</title><link>https://example.com/sj</link></item></channel></rss>\n")
    f = tmp_path / "sj.rss"
    f.write_bytes(xml.encode("shift_jis"))
    (item,) = read_records([f])
    assert isinstance(item, Parsed)
    assert item.post.source == "技術ブログ"  # type: ignore[attr-defined]
    assert item.post.texts["ja"].title == "生成AIの記事"  # type: ignore[attr-defined]
