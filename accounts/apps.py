from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class AccountsConfig(AppConfig):
    default = True  # the one of this module's configs that "accounts" in INSTALLED_APPS means
    name = "accounts"
    verbose_name = "Logins"


# The libraries' apps under names an editor reads in the admin's index ("Axes" and
# "Otp_Totp" say nothing to a newsroom); their labels, tables and migrations are unchanged.
class FailedLoginsConfig(AxesConfig):
    verbose_name = "Failed logins"


class AuthenticatorAppsConfig(TOTPConfig):
    verbose_name = "Second factor: authenticator apps"
