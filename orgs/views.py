from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .models import Organisation
from .permissions import access_organisation, scope_roots


@login_required
def my_tree(request):
    return render(request, "orgs/my_tree.html", {"roots": scope_roots(request.user)})


@login_required
def organisation_detail(request, pk):
    org = access_organisation(request.user, pk)
    children = Organisation.objects.filter(parent=org).order_by("sort_order", "name")
    visible_ancestors = [a for a in org.ancestors() if a.pk != org.pk and any(a.path.startswith(r.path) for r in scope_roots(request.user))]
    return render(
        request,
        "orgs/organisation_detail.html",
        {"org": org, "children": children, "ancestors": visible_ancestors},
    )
