"""Staff's course editor: courses with their lesson list, lessons with their tasks, and the rows
learners leave (enrolments, lesson e-mails, certificates) to look at.

Every change to lessons and tasks, like publishing, copying and building a private course, goes
through `courses.services`, so the admin follows the same rule as everything else: a change that
would break a published course is refused, as a whole, with each problem as its own message.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from courses import services
from courses.models import (
    FINAL_LESSON_TASKS,
    TASKS_PER_LESSON,
    Certificate,
    Course,
    Enrolment,
    LearningTask,
    Lesson,
    LessonEmail,
)


class RefusalsAsMessages:
    """A change the services refuse (a ValidationError) is rolled back as a whole, its log entry
    too, and staff are sent back where they came from with one error message per problem. The
    admin runs each POST of its forms in one transaction; here its change list's too, for the
    actions."""

    def changeform_view(self, request, object_id=None, *args, **kwargs):
        return self._refusing(request, super().changeform_view, object_id, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._refusing(request, super().changelist_view, *args, **kwargs)

    def delete_view(self, request, object_id, *args, **kwargs):
        # Back to the object's page: the confirmation page would ask the same question again.
        back = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[object_id]
        )
        return self._refusing(request, super().delete_view, object_id, *args, back=back, **kwargs)

    def _refusing(self, request, view, *args, back: str | None = None, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        try:
            with transaction.atomic():
                return view(request, *args, **kwargs)
        except ValidationError as refused:
            self.message_problems(request, refused.messages)
            return HttpResponseRedirect(back or request.get_full_path())

    def message_problems(self, request, problems: list[str]) -> None:
        for problem in problems:
            self.message_user(request, problem, messages.ERROR)


# Course with its lesson list.


class LessonInlineForm(forms.ModelForm):
    order = forms.IntegerField(
        label="Position",
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"style": "width: 4em"}),
    )

    class Meta:
        model = Lesson
        fields = ["kind", "title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].initial = self.instance.position


class LessonInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]
        finals = [f for f in kept if f.cleaned_data.get("kind") == Lesson.Kind.FINAL]
        if len(finals) > 1:
            raise ValidationError("Ein Kurs hat genau eine Abschlusslektion.")


class LessonInline(admin.TabularInline):
    model = Lesson
    form = LessonInlineForm
    formset = LessonInlineFormSet
    fields = ["order", "kind", "title"]
    extra = 0
    show_change_link = True
    verbose_name_plural = (
        "Lektionen (Reihenfolge über „Position“; Text und Aufgaben über „Ändern“ je Lektion)"
    )


@admin.register(Course)
class CourseAdmin(RefusalsAsMessages, admin.ModelAdmin):
    list_display = ["title", "status", "is_private", "private_for", "lesson_count", "updated_at"]
    list_filter = ["status", "is_private"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status", "published_at", "updated_at"]
    autocomplete_fields = ["private_for"]
    fields = [
        "title", "slug", "subtitle", "description", "cover_colour",
        "status", "published_at", "is_private", "private_for", "updated_at",
    ]  # fmt: skip
    inlines = [LessonInline]
    actions = ["publish", "unpublish"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lesson_total=Count("lessons"))

    @admin.display(description="Lektionen", ordering="lesson_total")
    def lesson_count(self, course):
        return course.lesson_total

    @admin.action(description="Veröffentlichen", permissions=["change"])
    def publish(self, request, queryset):
        published = 0
        for course in queryset:
            try:
                services.publish_course(course=course)
            except ValidationError as exc:
                self.message_problems(
                    request, [f"„{course.title}“ kann nicht veröffentlicht werden:", *exc.messages]
                )
            else:
                published += 1
        if published:
            self.message_user(request, f"{published} Kurs(e) veröffentlicht.")

    @admin.action(description="Zurück auf Entwurf setzen", permissions=["change"])
    def unpublish(self, request, queryset):
        for course in queryset:
            services.unpublish_course(course=course)
        self.message_user(request, f"{queryset.count()} Kurs(e) sind wieder Entwürfe.")

    def save_formset(self, request, form, formset, change):
        # The lesson list, its only inline.
        kept = _kept_forms(formset)
        kept.sort(key=lambda f: f.cleaned_data.get("order") or 10**6)  # stable: ties keep rows
        services.save_lessons_in_order(
            course=form.instance,
            lessons=[f.instance for f in kept],
            removed=formset.deleted_objects,
        )


def _kept_forms(formset) -> list:
    """The forms of an inline whose rows are saved: not deleted, and not an untouched empty row.
    Saving the formset without committing tells which rows are deleted."""
    formset.save(commit=False)
    return [
        f
        for f in formset.forms
        if f.cleaned_data and f not in formset.deleted_forms and (f.instance.pk or f.has_changed())
    ]


# A lesson with its tasks.


class LearningTaskFormSet(BaseInlineFormSet):
    """Exactly four tasks for a lesson, one closing task for the final lesson."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            f
            for f in self.forms
            if f.cleaned_data and not self._should_delete_form(f) and f.cleaned_data.get("prompt")
        ]
        wanted = FINAL_LESSON_TASKS if self.instance.is_final else TASKS_PER_LESSON
        if len(kept) != wanted:
            raise ValidationError(
                f"Die Abschlusslektion hat genau {FINAL_LESSON_TASKS} Abschlussaufgabe."
                if self.instance.is_final
                else f"Eine Lektion hat genau {TASKS_PER_LESSON} Aufgaben (hier: {len(kept)})."
            )


class LearningTaskInline(admin.StackedInline):
    model = LearningTask
    formset = LearningTaskFormSet
    fields = ["prompt", "expected_answer", "checklist"]
    ordering = ["position"]

    def _wanted(self, obj):
        return FINAL_LESSON_TASKS if obj is not None and obj.is_final else TASKS_PER_LESSON

    def get_min_num(self, request, obj=None, **kwargs):
        # A new lesson's kind is chosen on the same page: the formset's clean() counts then.
        return self._wanted(obj) if obj is not None else 0

    def get_max_num(self, request, obj=None, **kwargs):
        return self._wanted(obj) if obj is not None else TASKS_PER_LESSON

    def get_extra(self, request, obj=None, **kwargs):
        existing = obj.tasks.count() if obj is not None else 0
        return max(0, (self._wanted(obj) if obj is not None else TASKS_PER_LESSON) - existing)


class CopyLessonsForm(forms.Form):
    target = forms.ModelChoiceField(
        label="In diesen Kurs kopieren (ans Ende)", queryset=Course.objects.all()
    )


class PrivateCourseForm(forms.Form):
    title = forms.CharField(label="Titel des Kurses", max_length=200)
    email = forms.EmailField(label="E-Mail-Adresse des Kundenkontos")

    def clean_email(self):
        email = self.cleaned_data["email"]
        user = get_user_model().objects.filter(email__iexact=email).order_by("pk").first()
        if user is None:
            raise ValidationError(
                "Kein Kundenkonto mit dieser Adresse. Ein Konto entsteht mit dem ersten Kauf."
            )
        self.cleaned_data["learner"] = user
        return email


@admin.register(Lesson)
class LessonAdmin(RefusalsAsMessages, admin.ModelAdmin):
    list_display = ["title", "course", "label_column", "kind", "task_total"]
    list_filter = ["kind", "course"]
    search_fields = ["title", "body", "course__title"]
    list_select_related = ["course"]
    inlines = [LearningTaskInline]
    actions = ["copy_to_course", "build_private_course"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(task_count=Count("tasks"))
            .order_by("course__title", F("position").asc(nulls_last=True))
        )

    def get_fields(self, request, obj=None):
        return ["course", "kind", "position", "title", "body", "reflection"]

    def get_readonly_fields(self, request, obj=None):
        # A lesson moves to another course by copying; its place changes in the course's list.
        return ["position", "course"] if obj is not None else ["position"]

    @admin.display(description="Position", ordering="position")
    def label_column(self, lesson):
        return lesson.label

    @admin.display(description="Aufgaben", ordering="task_count")
    def task_total(self, lesson):
        return lesson.task_count

    def save_model(self, request, obj, form, change):
        # Saved in save_related, with its tasks, by one service call: the course's rule applies
        # to the whole change, never to a new lesson that has no tasks yet.
        pass

    def save_related(self, request, form, formsets, change):
        [tasks] = formsets  # the task list, its only inline
        kept = _kept_forms(tasks)
        services.save_lesson(
            lesson=form.instance,
            tasks=[f.instance for f in kept],
            removed_tasks=tasks.deleted_objects,
        )

    def delete_model(self, request, obj):
        services.delete_lessons(lessons=[obj])

    def delete_queryset(self, request, queryset):
        services.delete_lessons(lessons=queryset.select_related("course"))

    def _action_page(self, request, queryset, *, action: str, form, heading: str):
        return TemplateResponse(
            request,
            "courses/admin_lesson_action.html",
            {
                **self.admin_site.each_context(request),
                "title": heading,
                "lessons": queryset,
                "form": form,
                "action": action,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    def _in_order(self, queryset):
        return queryset.select_related("course").order_by(
            "course_id", F("position").asc(nulls_last=True)
        )

    def has_build_private_course_permission(self, request):
        # It makes a course and enrols a customer in it free of charge, as a purchase would.
        return request.user.has_perms(["courses.add_course", "courses.add_enrolment"])

    # Copying adds lessons to a course, which the lesson form's "add" allows too; the form page
    # in between is the action's own, so it is shown only to whom the action is offered.
    @admin.action(description="In einen anderen Kurs kopieren …", permissions=["add"])
    def copy_to_course(self, request, queryset):
        form = CopyLessonsForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            target = form.cleaned_data["target"]
            copies = services.copy_lessons(lessons=self._in_order(queryset), into=target)
            self.message_user(request, f"{len(copies)} Lektion(en) nach „{target}“ kopiert.")
            return None
        return self._action_page(
            request,
            self._in_order(queryset),
            action="copy_to_course",
            form=form,
            heading="Lektionen in einen anderen Kurs kopieren",
        )

    @admin.action(
        description="Daraus einen Kurs für eine Kundin / einen Kunden zusammenstellen …",
        permissions=["build_private_course"],
    )
    def build_private_course(self, request, queryset):
        form = PrivateCourseForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            course = services.build_private_course(
                title=form.cleaned_data["title"],
                learner=form.cleaned_data["learner"],
                lessons=self._in_order(queryset),
            )
            self.message_user(
                request,
                f"„{course.title}“ ist für {form.cleaned_data['email']} freigeschaltet: "
                f"{course.get_absolute_url()}",
            )
            return None
        return self._action_page(
            request,
            self._in_order(queryset),
            action="build_private_course",
            form=form,
            heading="Einen Kurs für eine Kundin / einen Kunden zusammenstellen",
        )


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = [
        "learner", "course", "channel", "language", "started_at", "ended_at", "next_email_due_at"
    ]  # fmt: skip
    list_filter = ["channel", "course"]
    search_fields = ["learner__email", "course__title"]
    list_select_related = ["learner", "course"]
    readonly_fields = ["learner", "course", "started_at", "ended_at"]


@admin.register(LessonEmail)
class LessonEmailAdmin(admin.ModelAdmin):
    list_display = ["lesson", "enrolment", "sent_at"]
    search_fields = ["enrolment__learner__email", "lesson__title"]
    list_select_related = ["lesson", "enrolment__learner", "enrolment__course"]
    readonly_fields = ["enrolment", "lesson", "sent_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = [
        "code", "learner_name", "course_title", "issued_on", "emailed_at", "email_error",
    ]  # fmt: skip
    search_fields = ["code", "learner_name", "course_title", "enrolment__learner__email"]
    readonly_fields = [f.name for f in Certificate._meta.fields]

    def has_add_permission(self, request):
        return False
