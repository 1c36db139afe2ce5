"""Everything that changes a course or a learner's place in it, one module per kind of change:

- `enrolments`: the shop's surface, `enrol` (inside its payment transaction) and `end_enrolment`.
- `publishing`: the rule of a whole course, publishing it, and `changing_course`, inside which
  every change to a course's lessons and tasks runs, so that a published course keeps the rule.
- `building`: staff's changes to lessons and tasks (the admin's editor), copying lessons, and a
  course built for one customer.
- `progress`: what a learner does with a lesson's tasks, up to the certificate.

Callers use them as `courses.services.<name>`. The e-mail course and the certificates have
modules of their own, `courses.drip` and `courses.certificates`.
"""

from courses.services.building import (
    TaskText,
    add_lesson,
    build_private_course,
    copy_lessons,
    delete_lessons,
    save_lesson,
    save_lessons_in_order,
)
from courses.services.enrolments import end_enrolment, enrol
from courses.services.progress import LessonLocked, TaskWork, complete_lesson, save_lesson_work
from courses.services.publishing import course_problems, publish_course, unpublish_course

__all__ = [
    "LessonLocked",
    "TaskText",
    "TaskWork",
    "add_lesson",
    "build_private_course",
    "complete_lesson",
    "copy_lessons",
    "course_problems",
    "delete_lessons",
    "end_enrolment",
    "enrol",
    "publish_course",
    "save_lesson",
    "save_lesson_work",
    "save_lessons_in_order",
    "unpublish_course",
]
