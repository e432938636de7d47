from django.db import migrations

from articles.roles import sync_groups


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_story_language"),
    ]

    operations = [
        # Editors pin and reorder the front page's stories (the README said so; the group
        # lacked the permissions).
        migrations.RunPython(sync_groups, migrations.RunPython.noop),
    ]
