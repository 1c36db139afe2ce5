import pytest

from courses import services
from tests.admin_login import sign_in_to_admin
from tests.courses import factories


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


@pytest.fixture
def staff(client, django_user_model):
    """The admin, signed in as staff."""
    user = django_user_model.objects.create_superuser("staff", "staff@example.com", "pw")
    return sign_in_to_admin(client, user)
