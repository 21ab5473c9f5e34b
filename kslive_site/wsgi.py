import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kslive_site.settings")
application = get_wsgi_application()

# At start-up, not at the first page that needs it.
from kslive_site.checks import refuse_bad_configuration  # noqa: E402

refuse_bad_configuration()
