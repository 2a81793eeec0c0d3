"""extract_page: boilerplate stripped, metadata read, notices found, never raises."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kzwatch.extract import PageInfo, extract_page, find_notices

PAGES = Path(__file__).parent / "data" / "pages"


def _page(name: str) -> PageInfo:
    return extract_page((PAGES / name).read_text(encoding="utf-8"), url=f"https://example.test/{name}")


# (fixture, sentences that must be in the main text, boilerplate that must not)
LAYOUTS = [
    (
        "azattyk_like.html",
        ["участвовать в них партия не станет", "единственной зарегистрированной оппозиционной партией"],
        ["Видео и подкасты", "Самое читаемое", "Пожар на рынке", "Фермеры перекрыли трассу",
         "Наконец-то кто-то сказал", "Все права защищены", "Поиск по сайту"],
    ),
    (
        "cabar_like.html",
        ["Исследователи насчитали 235 акций", "не находит выхода через партии и парламент"],
        ["Медиаграмотность", "Свежие записи", "Энергетический кризис", "Водные споры",
         "Спасибо автору", "Подпишитесь на нашу рассылку", "можно перепечатывать"],
    ),
    (
        "vlast_like_kk.html",
        ["жүздеген хаттаманың көшірмесін жинады", "жеті пайыздық межеден"],
        ["Басты бет", "Ең көп оқылған", "Алматыда жаңа саябақ", "Жарнама орны", "Барлық құқықтар"],
    ),
]  # fmt: skip


@pytest.mark.parametrize("name,present,absent", LAYOUTS)
def test_main_text_keeps_article_and_drops_boilerplate(name, present, absent):
    page = _page(name)
    for sentence in present:
        assert sentence in page.text
    for boilerplate in absent:
        assert boilerplate not in page.text


def test_azattyk_metadata():
    page = _page("azattyk_like.html")
    assert page.title == "ОСДП объявила бойкот выборам"  # og:title, not the suffixed <title>
    assert page.published == "2020-11-27T08:42:00+06:00"
    assert page.modified == "2020-11-27T14:05:00+06:00"
    assert page.lang == "ru"
    assert page.canonical_url == (
        "https://rus.azattyq.org/a/kazakhstan-party-to-boycott-january-parliamentary-elections/30971975.html"
    )
    assert any(n.startswith("Исправление:") for n in page.notices)
    assert any(n.startswith("Обновлено:") for n in page.notices)


def test_wordpress_json_ld_dates_and_author():
    page = _page("cabar_like.html")
    assert page.published == "2020-09-20T10:00:00+00:00"
    assert page.modified == "2020-09-21T07:30:00+00:00"
    assert page.author == "Камила Ковязина"
    assert page.lang == "ru"
    assert page.notices == ()


def test_kazakh_page_itemprop_date_and_notice():
    page = _page("vlast_like_kk.html")
    assert page.lang == "kk"
    assert page.published == "2021-01-13"  # bare date stays a date
    assert page.title.startswith("Бақылаушылар хаттамаларды жинады")
    assert page.notices == ("Түзету: мәтіннің алғашқы нұсқасында учаскелер саны қате көрсетілген.",)


def test_fallbacks_without_metadata():
    html = "<html><body><nav>Меню сайта</nav><h1>Заголовок</h1><p>Короткий текст.</p></body></html>"
    page = extract_page(html, url="https://example.test/x")
    assert page.title == "Заголовок"  # h1 when there is neither og:title nor <title>
    assert "Короткий текст." in page.text
    assert "Меню сайта" not in page.text
    assert page.canonical_url == "https://example.test/x"  # no <link rel=canonical>: the URL given
    assert page.published is None and page.modified is None


def test_time_datetime_used_when_no_meta_date():
    html = "<html><body><article><h1>T</h1><time datetime='2019-07-17T10:00:00Z'>17 июля</time><p>Текст.</p></article></body></html>"
    assert extract_page(html).published == "2019-07-17T10:00:00+00:00"


def test_invalid_date_is_dropped_not_kept():
    html = "<html><head><meta property='article:published_time' content='2020-13-45'></head><body><p>x</p></body></html>"
    assert extract_page(html).published is None


@pytest.mark.parametrize(
    "line,is_notice",
    [
        ("Исправление: в первой версии была ошибка.", True),
        ("Correction: an earlier version misstated the date.", True),
        ("Updated 27 November 2020", True),
        ("Жаңартылды: 14:05", True),
        ("The law was updated in 2020.", False),
        ("Обновленный закон вступил в силу.", False),
        ("Updatedness is not a word", False),
    ],
)
def test_notice_detection(line, is_notice):
    assert bool(find_notices([line])) is is_notice


def test_notices_are_deduplicated():
    assert find_notices(["Обновлено: 1 мая", "  ОБНОВЛЕНО:  1 мая "]) == ("Обновлено: 1 мая",)


@pytest.mark.parametrize("garbage", ["", "   ", "<<<>>>", "\x00\x01<html", "<html><body></body></html>", b"\xff\xfe\x00<p>x"])
def test_garbage_gives_empty_or_partial_page(garbage):
    page = extract_page(garbage)
    assert isinstance(page, PageInfo)
    assert isinstance(page.text, str)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abcpdivhtml1&;#\x00\nЖжәң")), max_size=300))
def test_never_raises_on_random_markup(html):
    page = extract_page(html)
    assert isinstance(page, PageInfo)
    assert isinstance(page.notices, tuple)
