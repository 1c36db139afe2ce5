"""eCourses: courses of lessons and tasks, enrolments, progress, the e-mail course (drip),
certificates, the course PDF, and courses built for one customer. Never imports the shop."""
