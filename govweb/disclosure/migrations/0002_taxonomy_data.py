"""Ship the standard taxonomies (主题分类, 体裁分类, 服务对象) as data."""

from django.db import migrations


def load(apps, schema_editor):
    from govweb.disclosure.data.taxonomy import load_taxonomy

    load_taxonomy(apps.get_model("disclosure", "TopicCategory"), apps.get_model("disclosure", "Genre"),
                  apps.get_model("disclosure", "Audience"))


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
