"""The Django project: settings from the environment, URL routes and the WSGI entry point."""
