from plumbing.tasks import task
from shop.accounts import services


@task("shop.tasks.send_sign_in_link")
def send_sign_in_link(email: str, language: str, next_path: str = "") -> str:
    return services.send_sign_in_link(email=email, language=language, next_path=next_path)
