"""Publishing warms the PDF cache, so the first buyer does not wait for the render."""

from plumbing.tasks import task
from shop.catalog import pdf
from shop.models import Article, Series


@task("shop.tasks.prerender_article_pdf", soft_time_limit=300)
def prerender_article_pdf(article_id: int) -> None:
    article = Article.objects.get(pk=article_id)
    pdf.article_base_pdf(article, version=pdf.article_content_version(article))


@task("shop.tasks.prerender_series_pdf", soft_time_limit=300)
def prerender_series_pdf(series_id: int) -> None:
    """Saving a series warms the cache of its combined PDF, as publishing does for an article."""
    series = Series.objects.get(pk=series_id)
    parts = [part.article for part in series.parts.select_related("article")]
    if parts:
        pdf.series_base_pdf(series, parts, version=pdf.series_content_version(series, parts))
