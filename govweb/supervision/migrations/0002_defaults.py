from django.db import migrations


def install(apps, schema_editor):
    from govweb.supervision.defaults import install as install_defaults

    install_defaults(apps.get_model("supervision", "SpotCheckIndicator"),
                     apps.get_model("supervision", "ForbiddenExpression"))


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
