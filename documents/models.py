from django.db import models


class RenderedPdf(models.Model):
    """A base PDF rendered once for one content version, shared by every buyer's copy."""

    key = models.CharField("Schlüssel", max_length=64, unique=True)
    file = models.FileField("Datei", upload_to="pdf-cache/")
    created_at = models.DateTimeField("erstellt am", auto_now_add=True)

    class Meta:
        verbose_name = "Gerenderte PDF-Vorlage"
        verbose_name_plural = "Gerenderte PDF-Vorlagen"

    def __str__(self) -> str:
        return f"PDF {self.key[:12]}"
