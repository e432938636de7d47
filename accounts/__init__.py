"""Logins: throttling failed logins (django-axes), the second factor (django-otp's TOTP) and
the policy that says who must have one."""
