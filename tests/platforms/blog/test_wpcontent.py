"""How a blog variant's page becomes a WordPress post's content."""

from __future__ import annotations

from cmbuild.platforms.blog.wpcontent import Uploaded, article, with_marker, with_media

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Title</title></head>
<body>
<header>Site</header>
<article>
<h1>Title</h1>
<img src="/media/photo.jpg" alt="A room">
<p>Body &amp; more.</p>
</article>
</body>
</html>"""

PHOTO = Uploaded(12, "https://blog.example/wp-content/uploads/a-1.jpg", "blog/a-1.jpg", "A room")


def test_the_content_is_the_article_without_its_title() -> None:
    assert (
        article(PAGE, "html")
        == '<img src="/media/photo.jpg" alt="A room">\n<p>Body &amp; more.</p>'
    )


def test_a_fragment_is_kept_and_plain_text_becomes_paragraphs() -> None:
    assert article("<p>Just this</p>", "html") == "<p>Just this</p>"
    assert (
        article("One <b>\ntwo\n\nThree", "plain") == "<p>One &lt;b&gt;<br>\ntwo</p>\n\n<p>Three</p>"
    )


def test_images_are_pointed_at_the_media_library_by_name_or_alt_text() -> None:
    by_alt = with_media('<img src="/media/photo.jpg" alt="A room">', [PHOTO])
    assert by_alt == f'<img src="{PHOTO.url}" alt="A room" class="wp-image-12">'
    by_name = with_media("<img class='wide' src='a-1.jpg'/>", [PHOTO])
    assert by_name == f'<img class="wide wp-image-12" src="{PHOTO.url}"/>'


def test_remote_and_unknown_images_are_left_alone() -> None:
    remote = '<img src="https://cdn.example/x.jpg" alt="A room">'
    unknown = '<img src="/media/other.jpg" alt="Something else">'
    assert with_media(remote + unknown, [PHOTO]) == remote + unknown


def test_the_key_goes_inside_the_last_paragraph_else_after_the_content() -> None:
    assert (
        with_marker("<p>a</p>\n<p>b</p>\n", "k1") == "<p>a</p>\n<p>b<!-- cmbuild-key: k1 --></p>\n"
    )
    assert (
        with_marker("<ul><li>a</li></ul>", "k1") == "<ul><li>a</li></ul>\n<!-- cmbuild-key: k1 -->"
    )
