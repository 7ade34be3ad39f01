"""The allow-list was by machine name ("every version"); it becomes by name and major.minor.

Each name-only row becomes one row per version of that library installed so far (what "every
version" allowed in practice); a name with no installed version is dropped: its next upload
waits for an HQ admin's approval. Existing content counts its package size against the
uploader's storage quota (the unpacked size was not recorded).
"""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    Allowed = apps.get_model("library", "H5PAllowedLibrary")
    Library = apps.get_model("library", "H5PLibrary")
    Content = apps.get_model("library", "H5PContent")
    for row in Allowed.objects.filter(major__isnull=True):
        versions = Library.objects.filter(machine_name=row.machine_name).values_list(
            "major", "minor"
        )
        for major, minor in set(versions):
            Allowed.objects.get_or_create(
                machine_name=row.machine_name,
                major=major,
                minor=minor,
                defaults={"note": row.note},
            )
        row.delete()
    Content.objects.filter(stored_bytes=0).update(stored_bytes=F("package_size"))


def backwards(apps, schema_editor):
    Allowed = apps.get_model("library", "H5PAllowedLibrary")
    seen = set()
    for row in Allowed.objects.order_by("machine_name", "pk"):
        if row.machine_name in seen:
            row.delete()
            continue
        seen.add(row.machine_name)
        row.major = row.minor = None
        row.save(update_fields=["major", "minor"])


class Migration(migrations.Migration):
    dependencies = [("library", "0002_h5p_versioned_allow_list_and_pending_uploads")]

    operations = [migrations.RunPython(forwards, backwards)]
