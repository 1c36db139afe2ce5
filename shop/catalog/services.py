"""The rules of what is for sale that more than one form or save must keep."""

from shop.models import Product, Series


def series_price_problem(*, series: Series) -> str | None:
    """Why the series' price is wrong, or None: it must stay below what its parts cost alone,
    also after parts were removed or repriced."""
    product = Product.objects.filter(series=series).first()
    if product is None:
        return None
    parts = series.parts.select_related("article__product")
    without_product = [p.article.title for p in parts if not hasattr(p.article, "product")]
    if without_product:
        return "Teile ohne eigenes Produkt: " + ", ".join(without_product)
    total = series.parts_total_cents()
    if total and product.price_cents >= total:
        return (
            f"Der Preis der Reihe ({product.price_cents} Cent) liegt nicht unter der Summe "
            f"ihrer Teile ({total} Cent)."
        )
    return None
