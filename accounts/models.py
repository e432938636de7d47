from django.db import models


class SecondFactorRule(models.TextChoices):
    NOBODY = "nobody", "Nobody"
    EDITORS = "editors", "Editors and administrators"
    STAFF = "staff", "All staff"


class SecurityPolicy(models.Model):
    """The one row of login rules an administrator sets in the admin."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    second_factor_required_for = models.CharField(
        "require a second factor for",
        max_length=10,
        choices=SecondFactorRule,
        default=SecondFactorRule.NOBODY,
        help_text=(
            "Whoever this covers and has no authenticator app yet is sent to set one up after "
            "the password, and can open nothing else in the admin until it is done. Anyone "
            "may set one up whatever this says."
        ),
    )

    class Meta:
        verbose_name = "security policy"
        verbose_name_plural = "security policy"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="security_policy_singleton"),
        ]

    def __str__(self) -> str:
        return "Security policy"
