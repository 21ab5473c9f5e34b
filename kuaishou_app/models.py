from django.db import models
from django.utils.translation import gettext_lazy as _


class AppStatus(models.Model):
    """Whether Kuaishou accepts our app: one row, with the operator's problem while there is one."""

    class Problem(models.TextChoices):
        NONE = "", _("none")
        APP_REJECTED = "app_rejected", _("Kuaishou rejects kslive's app")

    class Family(models.TextChoices):
        # The two endpoint families check different credentials: only the OAuth endpoints see
        # the app secret, so a wrong secret fails logins and refreshes while live calls work.
        OAUTH = "oauth", _("login and token endpoints")
        LIVE = "live", _("live endpoints")

    problem = models.CharField(_("problem"), max_length=20, choices=Problem.choices, blank=True)
    family = models.CharField(_("endpoints"), max_length=10, choices=Family.choices, blank=True)
    since = models.DateTimeField(_("since"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    result = models.IntegerField(_("Kuaishou result code"), null=True, blank=True)
    http_status = models.IntegerField(_("HTTP status"), null=True, blank=True)
    host_name = models.CharField(_("Kuaishou server"), max_length=100, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Kuaishou app status")
        verbose_name_plural = _("Kuaishou app status")

    def __str__(self) -> str:
        return self.get_problem_display() if self.problem else str(_("Kuaishou accepts kslive's app"))
