"""What is for sale, and its content: the published articles, series and courses and the offers
sold as one (the custom eBook, the KI-Berater); the series price rule; the base PDFs of articles
and series, rendered once per content version, and each buyer's licensed copy of one; and the
cached catalog, forgotten when what it shows changes. It has no pages (those are the
storefront's) and uses the models, documents and courses' models only."""
