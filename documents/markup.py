"""Staff write Markdown; pages and print templates get it as HTML in which nothing runs or fetches
on its own. Both apps use it, so it lives here rather than in either."""

import markdown
import nh3


def markdown_to_html(text: str) -> str:
    return nh3.clean(markdown.markdown(text, extensions=["tables", "sane_lists"]))
