from django.utils.translation import gettext_lazy as _

# What a person reads when Kuaishou rejects our app: nothing they did, nothing they can do.
APP_REJECTED = _(
    "kslive cannot reach Kuaishou right now. This is not your fault and nothing was lost: the operator "
    "has been told. Please try again later."
)
