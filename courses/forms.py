"""The learner's forms: the work on a lesson's tasks, the e-mail course's settings, and the name
on the certificate."""

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import Enrolment, LearningTask
from courses.services import TaskWork

ANSWER_MAX_LENGTH = 10_000


class LessonWorkForm(forms.Form):
    """One checkbox and one answer per task of the lesson; the final lesson adds the name for
    the certificate."""

    def __init__(self, *args, tasks: list[LearningTask], ask_name: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.tasks = tasks
        for task in tasks:
            progress = next(iter(getattr(task, "my_progress", [])), None)
            self.fields[f"done-{task.pk}"] = forms.BooleanField(
                label=_("Erledigt"), required=False, initial=bool(progress and progress.is_done)
            )
            self.fields[f"answer-{task.pk}"] = forms.CharField(
                label=_("Ihre Antwort"),
                required=False,
                max_length=ANSWER_MAX_LENGTH,
                initial=progress.answer if progress else "",
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        if ask_name:
            self.fields["certificate_name"] = forms.CharField(
                label=_("Ihr Name auf dem Zertifikat"),
                required=False,
                max_length=120,
                help_text=_("So erscheint er auf dem Zertifikat und auf dessen Prüfseite."),
            )

    def clean_certificate_name(self):
        name = " ".join(self.cleaned_data["certificate_name"].split())
        if "@" in name:
            raise forms.ValidationError(_("Bitte geben Sie einen Namen ein, keine E-Mail-Adresse."))
        return name

    def rows(self):
        """(task, done field, answer field) for the template."""
        return [(task, self[f"done-{task.pk}"], self[f"answer-{task.pk}"]) for task in self.tasks]

    def work(self) -> dict[int, TaskWork]:
        return {
            task.pk: TaskWork(
                is_done=self.cleaned_data[f"done-{task.pk}"],
                answer=self.cleaned_data[f"answer-{task.pk}"],
            )
            for task in self.tasks
        }


class EmailCourseForm(forms.Form):
    ACTIONS = ["start", "pause", "resume", "send_all", "stop"]

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    interval_days = forms.TypedChoiceField(
        label=_("Rhythmus"),
        choices=Enrolment.Interval.choices,
        coerce=int,
        required=False,
        initial=Enrolment.Interval.DAILY,
    )


class CertificateNameForm(forms.Form):
    certificate_name = forms.CharField(
        label=_("Ihr Name auf dem Zertifikat (optional)"), required=False, max_length=120
    )

    def clean_certificate_name(self):
        name = " ".join(self.cleaned_data["certificate_name"].split())
        if "@" in name:
            raise forms.ValidationError(_("Bitte geben Sie einen Namen ein, keine E-Mail-Adresse."))
        return name
