from django.db import migrations

from articles.roles import sync_groups


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_workflow"),
        ("newsletter", "0002_lifecycle_and_digests"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
