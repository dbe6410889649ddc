from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from orgs.models import Role
from orgs.permissions import has_role

from .models import WorkerHeartbeat
from .selectors import home_sections


@login_required
def home(request):
    return render(request, "core/home.html", {"sections": home_sections(request.user)})


@login_required
def status(request):
    if not (has_role(request.user, Role.ADMIN) or request.user.is_superuser):
        from django.http import Http404

        raise Http404
    return render(request, "core/status.html", {"heartbeats": WorkerHeartbeat.objects.all()[:20]})


def healthz(request):
    """Liveness for the load balancer: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})
