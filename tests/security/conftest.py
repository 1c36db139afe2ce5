# The courses' fixtures: a course of three lessons and the final one, Lea enrolled in it.
from tests.courses.conftest import course, enrolment, learner  # noqa: F401
