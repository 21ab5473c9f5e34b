"""The Devices page: name a device, get its API token once, revoke it; give it a status webhook."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from api import selectors, services
from api.forms import DeviceTokenForm, WebhookForm
from api.models import DeviceToken, DeviceWebhook


@login_required
@never_cache
def devices(request):
    created = raw_token = None
    if request.method == "POST":
        form = DeviceTokenForm(request.POST)
        if form.is_valid():
            try:
                # Rendered, not redirected: the raw token exists only in this one response.
                created, raw_token = services.device_token_create(owner=request.user, name=form.cleaned_data["name"])
            except services.TooManyDeviceTokens as exc:
                form.add_error(None, str(exc))
            else:
                form = DeviceTokenForm()
    else:
        form = DeviceTokenForm()
    return _devices_page(request, form=form, created=created, raw_token=raw_token)


def _webhook_form(token, data=None) -> WebhookForm:
    webhook = getattr(token, "webhook", None)
    return WebhookForm(data, initial={"url": webhook.url} if webhook else None, auto_id=f"id_webhook_{token.pk}_%s")


def _devices_page(request, *, form=None, invalid_webhook: tuple[int, WebhookForm] | None = None, **context):
    """Render the Devices page; `invalid_webhook` is a token's id and the webhook form submitted
    for it, shown with its errors."""
    invalid = dict([invalid_webhook]) if invalid_webhook else {}
    device_tokens = list(selectors.device_tokens_of(request.user))
    for token in device_tokens:
        token.webhook_form = invalid.get(token.pk) or _webhook_form(token)
    context.update(form=form or DeviceTokenForm(), device_tokens=device_tokens,
                   webhook_attempts=services.WEBHOOK_ATTEMPTS)
    return render(request, "api/devices.html", context)


def _live_token(request, pk) -> DeviceToken:
    return get_object_or_404(DeviceToken, pk=pk, owner=request.user, revoked_at__isnull=True)


@login_required
@require_POST
def device_revoke(request, pk):
    token = get_object_or_404(DeviceToken, pk=pk, owner=request.user)
    if services.device_token_revoke(token=token):
        messages.success(request, _("The token of “%(name)s” is revoked: it stops working now.") % {"name": token.name})
    return redirect("devices")


@login_required
@never_cache
@require_POST
@sensitive_variables("secret")
def webhook_save(request, pk):
    token = _live_token(request, pk)
    form = _webhook_form(token, request.POST)
    if not form.is_valid():
        return _devices_page(request, invalid_webhook=(token.pk, form))
    _webhook, secret = services.webhook_register(token=token, url=form.cleaned_data["url"])
    if secret is None:
        messages.success(request, _("The webhook of “%(name)s” is saved.") % {"name": token.name})
        return redirect("devices")
    # Rendered, not redirected: the secret is shown in this one response, never again.
    return _devices_page(request, secret_of=token, webhook_secret=secret)


@login_required
@never_cache
@require_POST
@sensitive_variables("secret")
def webhook_rotate(request, pk):
    webhook = get_object_or_404(DeviceWebhook, token=_live_token(request, pk))
    secret = services.webhook_rotate_secret(webhook=webhook)
    return _devices_page(request, secret_of=webhook.token, webhook_secret=secret)


@login_required
@require_POST
def webhook_remove(request, pk):
    token = _live_token(request, pk)
    if services.webhook_remove(token=token):
        messages.success(request, _("The webhook of “%(name)s” is removed.") % {"name": token.name})
    return redirect("devices")
