from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services


@login_required
def account(request):
    return render(request, "accounts/account.html")


@login_required
@require_POST
def disconnect(request):
    if services.credential_disconnect(user=request.user):
        messages.success(request, _("Your Kuaishou tokens are deleted. Connect again whenever you want to go live."))
    return redirect("account")
