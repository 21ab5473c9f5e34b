from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from accounts.kuaishou.provider import KuaishouProvider

urlpatterns = default_urlpatterns(KuaishouProvider)
