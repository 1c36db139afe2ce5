"""`manage.py load_demo_course`: the demo course is published once, and a second run changes
nothing."""

import pytest
from django.core.management import call_command

from courses.models import Course, LearningTask

pytestmark = pytest.mark.django_db


def test_the_demo_course_is_published_and_a_second_run_changes_nothing():
    call_command("load_demo_course")
    call_command("load_demo_course")

    course = Course.objects.get()
    assert course.is_published and course in Course.objects.published()
    assert course.lessons.filter(kind="regular").count() == 5
    assert LearningTask.objects.filter(lesson__course=course).count() == 5 * 4 + 1
