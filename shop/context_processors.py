from django.conf import settings


def publisher(request):
    return {"publisher_name": settings.PUBLISHER_NAME}
