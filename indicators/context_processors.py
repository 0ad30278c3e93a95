from django.utils.functional import SimpleLazyObject

from .models import DemoMarker


def demo_data(request):
    """DEMO_DATA: whether this database holds invented demo figures (read only if a page asks)."""
    return {"DEMO_DATA": SimpleLazyObject(lambda: DemoMarker.objects.exists())}
