"""The learner's pages. Every course page asks for an active enrolment first; without one the
visitor goes to the shop's sales page and never sees a lesson."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses import drip, links, pdf, selectors, services
from courses.forms import CertificateNameForm, EmailCourseForm, LessonWorkForm
from courses.models import Certificate, Course, Enrolment, Lesson
from plumbing.links import LinkExpired, LinkInvalid

SALES_PAGE = "shop:course"
# The learner's own PDFs, licensed to them: no shared cache or shared browser keeps them.
personal_file = cache_control(private=True, no_store=True)


def _enrolment(request, slug: str) -> Enrolment | HttpResponse:
    """The learner's active enrolment, or the response for someone without one: the sales page
    for a course the shop sells, 404 for any other (a draft, a customer's private course)."""
    enrolment = selectors.active_enrolment(learner=request.user, slug=slug)
    if enrolment is not None:
        return enrolment
    if not Course.objects.published().filter(slug=slug).exists():
        raise Http404("Kurs nicht gefunden")
    return redirect(reverse(SALES_PAGE, kwargs={"slug": slug}))


@login_required
@require_GET
def my_courses(request):
    return render(
        request,
        "courses/my_courses.html",
        {"enrolments": selectors.learner_enrolments(learner=request.user)},
    )


@login_required
@require_GET
def learn(request, slug):
    enrolment = _enrolment(request, slug)
    if isinstance(enrolment, HttpResponse):
        return enrolment
    return render(
        request,
        "courses/learn.html",
        {
            "enrolment": enrolment,
            "course": enrolment.course,
            "outline": selectors.course_outline(enrolment=enrolment),
            "certificate": Certificate.objects.filter(enrolment=enrolment).first(),
            "email_form": EmailCourseForm(initial={"interval_days": enrolment.email_interval_days}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def lesson(request, slug, lesson_id):
    enrolment = _enrolment(request, slug)
    if isinstance(enrolment, HttpResponse):
        return enrolment
    outline = selectors.course_outline(enrolment=enrolment)
    state = outline.state_of(lesson_id)
    if state is None:
        raise Http404("Lektion nicht gefunden")
    context = {"enrolment": enrolment, "course": enrolment.course, "outline": outline}
    if state.is_locked:
        return render(request, "courses/lesson_locked.html", {**context, "state": state})
    found = selectors.lesson_with_tasks(enrolment=enrolment, lesson_id=lesson_id)
    tasks = list(found.tasks.all())
    form = LessonWorkForm(
        request.POST if request.method == "POST" else None,
        tasks=tasks,
        ask_name=found.is_final,
        initial={"certificate_name": enrolment.certificate_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_lesson_work(
                enrolment=enrolment,
                lesson=found,
                work=form.work(),
                certificate_name=form.cleaned_data.get("certificate_name") or None,
            )
        except services.LessonLocked:
            messages.error(
                request, _("Die Abschlusslektion öffnet sich, wenn alle Lektionen erledigt sind.")
            )
            return redirect(enrolment.course)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(request.path)
        messages.success(request, _("Gespeichert."))
        return redirect(request.path)
    before, after = outline.neighbours(lesson_id)
    return render(
        request,
        "courses/lesson.html",
        {
            **context,
            "lesson": found,
            "state": state,
            "form": form,
            "before": before,
            "after": after,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def email_course(request, slug):
    enrolment = _enrolment(request, slug)
    if isinstance(enrolment, HttpResponse):
        return enrolment
    form = EmailCourseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie eine gültige Einstellung."))
        return redirect(enrolment.course)
    action = form.cleaned_data["action"]
    interval = form.cleaned_data["interval_days"] or enrolment.email_interval_days
    done = {
        "start": _("Ihr E-Mail-Kurs ist eingerichtet. Die nächste Lektion ist unterwegs."),
        "pause": _("Ihr E-Mail-Kurs ist pausiert."),
        "resume": _("Ihr E-Mail-Kurs geht weiter."),
        "send_all": _("Alle übrigen Lektionen sind unterwegs."),
        "stop": _("Sie lernen jetzt online weiter; es kommen keine Lektions-E-Mails mehr."),
    }
    try:
        if action == "start":
            drip.switch_to_email(enrolment=enrolment, interval_days=interval)
        elif action == "pause":
            drip.pause(enrolment=enrolment)
        elif action == "resume":
            drip.resume(enrolment=enrolment)
        elif action == "send_all":
            drip.request_all_remaining(enrolment=enrolment)
        else:
            drip.switch_to_online(enrolment=enrolment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done[action])
    return redirect(enrolment.course)


@login_required
@require_GET
@personal_file
def course_pdf(request, slug):
    enrolment = _enrolment(request, slug)
    if isinstance(enrolment, HttpResponse):
        return enrolment
    response = HttpResponse(
        pdf.licensed_course_pdf(enrolment=enrolment), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{enrolment.course.slug}.pdf"'
    return response


@login_required
@require_GET
@personal_file
def certificate_pdf(request, slug):
    enrolment = _enrolment(request, slug)
    if isinstance(enrolment, HttpResponse):
        return enrolment
    certificate = Certificate.objects.filter(enrolment=enrolment).exclude(file="").first()
    if certificate is None:
        raise Http404("Noch kein Zertifikat")
    with certificate.file.open("rb") as file:
        content = file.read()
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="zertifikat-{certificate.code}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
def lesson_done(request, token):
    """The link in a lesson e-mail. GET only shows a button, so mail scanners that open links do
    not tick anything; POST marks the lesson's tasks done, signed in or not. The name on the
    certificate, which anyone may look up, is the signed-in learner's to set, not the link's."""
    try:
        enrolment_id, lesson_id = links.read_lesson_done_token(token)
    except LinkExpired:
        return render(request, "courses/lesson_done_expired.html", status=410)
    except LinkInvalid:
        raise Http404("Link ungültig") from None
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("course", "learner"),
        pk=enrolment_id,
        ended_at__isnull=True,
    )
    found = get_object_or_404(Lesson, pk=lesson_id, course_id=enrolment.course_id)
    may_name = request.user == enrolment.learner
    context = {
        "enrolment": enrolment, "course": enrolment.course, "lesson": found, "may_name": may_name,
    }  # fmt: skip
    form = CertificateNameForm(
        request.POST if request.method == "POST" and may_name else None,
        initial={"certificate_name": enrolment.certificate_name},
    )
    if request.method == "POST" and (form.is_valid() or not may_name):
        certificate_name = form.cleaned_data["certificate_name"] if may_name else ""
        try:
            services.complete_lesson(
                enrolment=enrolment, lesson=found, certificate_name=certificate_name or None
            )
        except services.LessonLocked:
            return render(
                request, "courses/lesson_done.html", {**context, "locked": True}, status=409
            )
        return render(
            request,
            "courses/lesson_done.html",
            {**context, "done": True, "outline": selectors.course_outline(enrolment=enrolment)},
        )
    return render(request, "courses/lesson_done.html", {**context, "form": form})


@require_GET
def certificate(request, code):
    found = selectors.certificate_by_code(code=code)
    if found is None:
        raise Http404("Zertifikat nicht gefunden")
    return render(request, "courses/certificate.html", {"certificate": found})
