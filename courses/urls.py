"""The learner's pages, the signed link from a lesson e-mail, and the public certificate check."""

from django.urls import path

from courses import views

app_name = "courses"

urlpatterns = [
    path("courses/", views.my_courses, name="my_courses"),
    path("courses/<slug:slug>/learn/", views.learn, name="learn"),
    path("courses/<slug:slug>/learn/<int:lesson_id>/", views.lesson, name="lesson"),
    path("courses/<slug:slug>/email/", views.email_course, name="email_course"),
    path("courses/<slug:slug>/pdf/", views.course_pdf, name="course_pdf"),
    path("courses/<slug:slug>/certificate/", views.certificate_pdf, name="certificate_pdf"),
    path("lesson-done/<str:token>/", views.lesson_done, name="lesson_done"),
    path("certificates/<str:code>/", views.certificate, name="certificate"),
]
