"""Listing indexes in the listings' order (newest first, id breaking ties), and the catalogue by topic."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('disclosure', '0002_taxonomy_data'),
        ('library', '0001_initial'),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='libraryitempage',
            name='library_item_column_idx',
        ),
        migrations.RemoveIndex(
            model_name='libraryitempage',
            name='library_item_home_idx',
        ),
        migrations.AlterField(
            model_name='libraryitempage',
            name='column',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.WAGTAIL_PAGE_MODEL),
        ),
        migrations.AlterField(
            model_name='libraryitempage',
            name='home',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.WAGTAIL_PAGE_MODEL),
        ),
        migrations.AddIndex(
            model_name='libraryitempage',
            index=models.Index(fields=['column', '-pub_date', '-page_ptr'], name='library_item_column_pub_idx'),
        ),
        migrations.AddIndex(
            model_name='libraryitempage',
            index=models.Index(fields=['home', '-pub_date', '-page_ptr'], name='library_item_home_pub_idx'),
        ),
        migrations.AddIndex(
            model_name='libraryitempage',
            index=models.Index(fields=['home', 'topic', '-pub_date', '-page_ptr'], name='library_item_home_topic_idx'),
        ),
    ]
