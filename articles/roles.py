"""The newsroom's two groups and what each may do; migrations call ``sync_groups``.

Writers create and edit their own drafts and submit them for review. Editors edit anything,
publish, schedule, unpublish and correct (``articles.publish_article``), post live updates,
set the breaking-news banner and run the front page (all reach readers at once, so they are
publishing). Superusers can do everything without a group.
"""

WRITERS = "Writers"
EDITORS = "Editors"

GROUP_PERMISSIONS = {
    WRITERS: {
        "articles": [
            "add_article",
            "change_article",
            "view_article",
            "add_articleauthor",
            "change_articleauthor",
            "delete_articleauthor",
            "view_articleauthor",
            "add_image",
            "change_image",
            "view_image",
            "view_author",
            "view_section",
            "add_tag",
            "view_tag",
            "add_staffnote",
            "change_staffnote",
            "view_staffnote",
        ],
    },
    EDITORS: {
        "articles": [
            f"{action}_{model}"
            for model in [
                "article",
                "articleauthor",
                "author",
                "banner",
                "frontpageslot",
                "image",
                "liveupdate",
                "note",
                "section",
                "slugredirect",
                "staffnote",
                "tag",
                "transition",
            ]
            for action in ["add", "change", "delete", "view"]
        ]
        + ["publish_article"]
        # Addresses from before a move (an import): seen and removed, never typed.
        + ["view_oldaddress", "delete_oldaddress"],
        "newsletter": [
            f"{action}_{model}"
            for model in ["digest", "subscriber"]
            for action in ["add", "change", "delete", "view"]
        ]
        + ["view_delivery"],
    },
}


def sync_groups(apps, schema_editor=None) -> None:
    """Create the groups and give each exactly its permissions (run from migrations)."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations ran; make them now. (Historical
    # app configs have no models module, which create_permissions asks for.)
    for app_label in {label for perms in GROUP_PERMISSIONS.values() for label in perms}:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, by_app in GROUP_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        wanted = []
        for app_label, codenames in by_app.items():
            # An early migration runs this before later ones add models: their permissions
            # come when the migration that adds them runs it again.
            present = {
                model._meta.model_name for model in apps.get_app_config(app_label).get_models()
            }
            codenames = [c for c in codenames if c.split("_", 1)[1] in present]
            found = list(
                permission_model.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
            missing = set(codenames) - {p.codename for p in found}
            if missing:
                raise RuntimeError(f"Permissions missing for {name}: {sorted(missing)}")
            wanted.extend(found)
        group.permissions.set(wanted)
