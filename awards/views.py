from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .selectors import access_campaign, access_quota, campaigns_for, quotas_visible, sees_whole_campaign


@login_required
def campaign_list(request):
    return render(request, "awards/campaign_list.html", {"campaigns": campaigns_for(request.user)})


@login_required
def campaign_detail(request, slug):
    campaign = access_campaign(request.user, slug)
    caps = [(cap, cap.base_total(), cap.limit()) for cap in campaign.caps.all()]
    return render(
        request,
        "awards/campaign_detail.html",
        {
            "campaign": campaign,
            "categories": campaign.categories.all(),
            "caps": caps,
            "stages": campaign.stages.all(),
            "forms": campaign.forms.all(),
            "quotas": quotas_visible(request.user, campaign),
            "whole": sees_whole_campaign(request.user, campaign),
        },
    )


@login_required
def quota_detail(request, slug, org_pk):
    campaign = access_campaign(request.user, slug)
    quota = access_quota(request.user, campaign, org_pk)
    return render(
        request,
        "awards/quota_detail.html",
        {"campaign": campaign, "quota": quota, "sub_quotas": quota.sub_quotas.select_related("organisation")},
    )
