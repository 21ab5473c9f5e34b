"""The Devices page: name a device, get its API token once, revoke it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from api import services
from api.forms import DeviceTokenForm
from api.models import DeviceToken


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
    context = {
        "form": form,
        "created": created,
        "raw_token": raw_token,
        "device_tokens": DeviceToken.objects.filter(owner=request.user),
    }
    return render(request, "api/devices.html", context)


@login_required
@require_POST
def device_revoke(request, pk):
    token = get_object_or_404(DeviceToken, pk=pk, owner=request.user)
    if services.device_token_revoke(token=token):
        messages.success(request, _("The token of “%(name)s” is revoked: it stops working now.") % {"name": token.name})
    return redirect("devices")
