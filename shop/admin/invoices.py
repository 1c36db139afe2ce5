from django.contrib import admin
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.html import format_html

from shop.models import Invoice, InvoiceLine
from shop.money import format_eur


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = readonly_fields = ["position", "description", "net", "vat_rate", "vat", "gross"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Netto")
    def net(self, line):
        return format_eur(line.net_cents)

    @admin.display(description="USt.")
    def vat(self, line):
        return format_eur(line.vat_cents)

    @admin.display(description="Brutto")
    def gross(self, line):
        return format_eur(line.gross_cents)


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Invoices are records the law wants kept as issued: staff read them, nobody edits."""

    list_display = [
        "number", "kind", "order", "issued_on", "total", "buyer_email", "pdf_link", "email_error",
    ]  # fmt: skip
    list_filter = ["kind", "issued_on"]
    search_fields = ["number", "order__reference", "buyer_email", "buyer_name", "stripe_refund_id"]
    date_hierarchy = "issued_on"
    list_select_related = ["order"]
    inlines = [InvoiceLineInline]
    exclude = ["pdf"]
    readonly_fields = [f.name for f in Invoice._meta.fields if f.name != "pdf"] + ["pdf_link"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("lines")

    @admin.display(description="Brutto")
    def total(self, invoice):
        return format_eur(invoice.total_gross_cents())

    @admin.display(description="PDF")
    def pdf_link(self, invoice):
        if not invoice.pdf:
            return "Wird erstellt"
        url = reverse("admin:shop_invoice_pdf", args=[invoice.pk])
        return format_html('<a href="{}">{}</a>', url, invoice.download_name)

    def get_urls(self):
        return [
            path(
                "<int:invoice_id>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="shop_invoice_pdf",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request, invoice_id):
        invoice = Invoice.objects.filter(pk=invoice_id).first()
        if invoice is None or not invoice.pdf or not self.has_view_permission(request, invoice):
            raise Http404("Kein PDF")
        return FileResponse(
            invoice.pdf.open("rb"), filename=invoice.download_name, content_type="application/pdf"
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
