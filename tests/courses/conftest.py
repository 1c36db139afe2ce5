import pytest

from config.celery_app import app as celery_app
from courses import services
from tests.courses import factories


@pytest.fixture
def eager_tasks():
    """Tasks enqueued with delay_on_commit run in-process when the test's callbacks execute."""
    before = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = before


@pytest.fixture
def run_tasks(eager_tasks, django_capture_on_commit_callbacks):
    """`with run_tasks():` runs what the block enqueues after commit, as a worker would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def course(db):
    return factories.course(lessons=3)


@pytest.fixture
def learner(db):
    return factories.learner("lea@example.com", first_name="Lea", last_name="Schmidt")


@pytest.fixture
def enrolment(course, learner):
    return services.enrol(learner=learner, course=course)


@pytest.fixture
def signed_in(client, learner):
    client.force_login(learner)
    return client


# The real-worker fixtures of the end-to-end tests, for the learner journey.
from tests.e2e.conftest import mail_folder, worker  # noqa: E402, F401
